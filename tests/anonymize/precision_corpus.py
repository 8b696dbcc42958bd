"""A precision corpus: ordinary security narratives a jeweler writes, with no names, numbers or addresses in them.

Each must come through the scrubber unchanged, even when the store's records hold display names built from the
same ordinary words ("Staff at Bellamy's", "Front Counter", "Manager"): a narrative full of "[name]" markers in
place of "staff" or "counter" is useless to the other stores and teaches people to ignore the markers.
"""

from __future__ import annotations

from anonymize import StoreIdentity

# A store whose records are full of role-like display names, as real sign-up forms and keyholder lists are.
# The real people in it ("Olivia Bellamy", "Tomasz Wren") must still be scrubbed where they appear.
STORE = StoreIdentity(
    name="Bellamy's Fine Jewellery",
    street="Orchard Street",
    street_number="41",
    city="Eastwick",
    phones=("01632 960 441",),
    emails=("olivia@bellamys.co.uk",),
    staff_names=(
        "Staff at Bellamy's",
        "Front Counter",
        "Manager",
        "Owner Team",
        "Member Services",
        "Olivia Bellamy",
        "Back Office",
        "Sales Floor",
        "the manager",
        "Second Member of Staff",
        "Shop Team",
    ),
    keyholder_names=("Security Guard", "Alarm Company", "Night Watch", "Tomasz Wren"),
    officer_names=("Duty Officer", "Police Front Desk", "Crime Prevention Officer", "PC Safer Neighbourhoods"),
)

NARRATIVES = [
    "A man came in just after opening and asked the staff to see the engagement rings in the front showcase.",
    "He asked the staff member to take a tray out of the display and then counted the staff out loud.",
    "Our policy is to call a second member of staff to the counter before opening a showcase.",
    "Front counter staff noticed two men standing by the door for several minutes without looking at anything.",
    "The owner was in the back office counting cash when the alarm went off.",
    "The manager asked the customer to wait while she fetched the tray from the safe.",
    "A woman tried to pay with a card that was declined three times, then left without the ring.",
    "Two men distracted the counter staff while a third reached over into the open showcase.",
    "The security guard saw a van parked across the road with its engine running during closing.",
    "Police were called and an officer attended within the hour; the team gave statements.",
    "Back door was found unlocked at closing; nothing was taken but the team has been reminded.",
    "The customer asked several questions about when the store opens and closes and who locks up.",
    "Member of staff noticed the suspect photographing the layout of the shop with his phone.",
    "The owner and manager reviewed the camera footage and handed a copy to the police officer.",
    "He swapped a genuine diamond for a fake while the staff member was distracted by his partner.",
    "A delivery driver asked to come through the back door to the safe room, which staff refused.",
    "Staff followed the opening procedure and checked the front and back doors before the display went out.",
    "The suspect grabbed a tray of gold chains from the counter and ran out of the front door to a waiting car.",
    "A second member of staff walked the owner to the bank with the cash bag at closing.",
    "Someone rang the shop asking which member of staff would be working alone on Sunday.",
    "The guard was on his break when the man returned and asked for the manager by title.",
    "Team meeting held after the incident; staff are to keep showcases locked unless serving a customer.",
    "The man wore a dark hooded jacket, grey trousers and white trainers, and kept his face away from the camera.",
    "Counter staff used the panic button and the police arrived before he could leave the shop.",
    "Officer advised us to report any return visit and to keep the front door on the buzzer.",
    "A customer complained loudly at the front counter while another man browsed the watch display.",
    "The shop manager noticed scratch marks on the back door lock when opening in the morning.",
    "Staff member was asked to try on a bracelet for the customer so he could see it on a wrist.",
    "The owner locked the safe, set the alarm and left by the back door with the manager.",
    "Two women in matching coats asked for the owner and said they were from the council.",
    "A man offered to sell a bag of gold jewellery to the staff at a very low price and left when asked for ID.",
    "The team noticed the same van outside the shop three mornings in a row before opening.",
    "Security staff on the mall floor were told and kept watch on the front entrance.",
    "The customer returned a ring for a refund but the stone had been replaced with glass.",
    "A member of the public held the door open for the suspect as he ran out.",
    "Manager on duty closed the shop early and the staff stayed in the back office until the police arrived.",
    "He tried the handle of the display cabinet while the staff were serving other customers.",
    "Sales floor was busy with a group of teenagers while an older man lingered near the window display.",
    "The night watch at the shopping centre reported someone testing the shutters at the back of the shop.",
    "Front desk at the police station took the report and an officer will call the owner back.",
    "After the incident the owner team agreed to keep only one tray out at a time at the counter.",
    "The duty officer said crime prevention advice would be sent to every member of staff.",
]

# The people in the same records must still be scrubbed where they are named.
NAMED = [
    ("Olivia Bellamy served the customer.", "[name] served the customer."),
    ("The customer asked for Olivia by name.", "The customer asked for [name] by name."),
    ("He said he knew Bellamy's from years ago.", "He said he knew [store] from years ago."),
    ("Tomasz Wren locked up that night.", "[name] locked up that night."),
    ("Call Olivia on 01632 960441.", "Call [name] on [phone]."),
]
