"""Container-level detectors: members of archives and packages, OCI images, OS package databases."""
