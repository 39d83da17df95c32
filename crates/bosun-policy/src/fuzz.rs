//! Fuzz entry points: each parser over arbitrary bytes must return, never panic.

/// Parses a policy file.
pub fn policy(data: &[u8]) {
    let _ = crate::Policy::parse("fuzz", data);
}

/// Parses an exceptions file.
pub fn exceptions(data: &[u8]) {
    let _ = crate::Exceptions::parse("fuzz", data);
}

/// Parses a VEX document and applies it to a small inventory.
pub fn vex(data: &[u8]) {
    if let Ok(v) = crate::Vex::parse("fuzz", data) {
        let mut inv = bosun_inventory::Inventory::default();
        inv.vulnerabilities.push(bosun_inventory::Vulnerability {
            id: "CVE-2024-0001".into(),
            package: bosun_inventory::vuln::VulnPackage {
                name: "openssl".into(),
                version: "3.0.0".into(),
                purl: "pkg:deb/debian/openssl@3.0.0".into(),
                ..Default::default()
            },
            ..Default::default()
        });
        let _ = crate::apply_vex(&mut inv, &v);
    }
}

/// Evaluates a license expression against a small policy.
pub fn license(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let p = crate::LicensePolicy {
            allow: vec!["MIT".into(), "Apache-2.0".into()],
            deny: vec!["GPL-3.0-only".into()],
            unknown: crate::UnknownLicense::Warn,
        };
        let _ = crate::evaluate_license(s, &p);
    }
}
