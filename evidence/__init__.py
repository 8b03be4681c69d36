"""dpp-evidence: prove compliance with Amazon SP-API's DPP and AUP, and hand auditors evidence they can verify."""

__version__ = "0.1.0"
