"""The auditor pack stage: manifests, the hash chain, the pack zip, verifying, OSCAL, sampling.

Works on data the pipeline hands over; imports no other stage.
"""
