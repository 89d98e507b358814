"""Privacy and administration: the audit log, erasure, the data export, retention and workspace admins.

Erasure and the export are generic over the schema (:mod:`.personal` finds every
column that refers to a person), so a feature that adds a table with a person
column is covered by adding one line of policy, and a test says when it is missing.
"""
