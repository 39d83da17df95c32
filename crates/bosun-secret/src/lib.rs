//! Secret detection rules, keyword prefilter and matching.
