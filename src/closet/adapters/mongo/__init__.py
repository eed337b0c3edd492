"""MongoDB through PyMongo's AsyncMongoClient: metadata documents and the audit log."""
