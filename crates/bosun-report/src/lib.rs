//! Every output format of bosun, and reading bosun's own SBOMs back.
