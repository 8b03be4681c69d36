"""The auditor pack stage: run manifests and their hash chain, the pack zip, signing, verifying,
OSCAL export and reproducible sampling. Works on data the pipeline hands over; imports no other stage."""
