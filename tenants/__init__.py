"""The tenancy core: store naming, binding a Session to a store schema, provisioning and migrating schemas.

Everything that decides *which* schema a query runs in lives in this package and nowhere else.
"""
