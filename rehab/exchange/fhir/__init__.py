"""A patient's record as FHIR R4 (4.0.1) resources, built as plain dicts (no FHIR library at run time).

docs/fhir.md has the mapping table: each field of ours, the resource path it lands on, and the code
system. Every resource id is made from the row's own id, so a second export names the same things
the same way.
"""
