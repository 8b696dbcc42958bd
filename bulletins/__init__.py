"""Published bulletins: the regional feed, moderation, merging and sightings."""
