//! Analyzers that turn image files into an inventory: OS release, dpkg, apk, rpm.
