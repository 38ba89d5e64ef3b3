"""Partnerships of local governments: persisted members, aggregates and the ZMP self-assessment."""
