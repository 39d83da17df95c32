//! The thing scanned: an image (archive, layout, directory) or an SBOM read back.

use anyhow::Context;
use clap::Args;

use crate::output::Progress;

/// How to reach servers (registries, feed mirrors).
#[derive(Args, Clone)]
pub(crate) struct NetArgs {
    /// Allow plain http:// to hosts other than loopback.
    #[arg(long)]
    pub(crate) insecure: bool,
    /// Extra CA certificates (PEM) to trust.
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_cert: Option<std::path::PathBuf>,
}

#[derive(Args)]
pub(crate) struct SourceArgs {
    /// The image: docker-archive:PATH, oci-archive:PATH, oci-dir:PATH, dir:PATH, sbom:PATH
    /// (bosun JSON, CycloneDX or SPDX), registry:REF, a path recognized by its contents, or a
    /// registry reference (alpine:3.20, ghcr.io/org/app@sha256:..., localhost:5000/x:y).
    pub(crate) source: String,
    #[command(flatten)]
    pub(crate) net: NetArgs,
    /// Registry user name (else ~/.docker/config.json credentials, else anonymous).
    #[arg(long, value_name = "NAME", env = "BOSUN_USERNAME")]
    pub(crate) username: Option<String>,
    /// Read the registry password from standard input (with --username).
    #[arg(long, requires = "username")]
    pub(crate) password_stdin: bool,
    /// Platform to pick from a multi-platform index (os/arch[/variant]).
    #[arg(long, default_value = "linux/amd64")]
    pub(crate) platform: String,
    /// Image to pick from a docker-archive holding several (repo:tag).
    #[arg(long, value_name = "REF")]
    pub(crate) image: Option<String>,
    /// Largest uncompressed layer accepted, in bytes (decompression bomb guard).
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_layer_size: Option<u64>,
    /// Largest compression ratio accepted for a layer (decompression bomb guard).
    #[arg(long, value_name = "RATIO")]
    pub(crate) max_ratio: Option<u64>,
}

impl SourceArgs {
    /// The SBOM path when the source is `sbom:PATH`.
    pub(crate) fn sbom_path(&self) -> Option<&str> {
        self.source.strip_prefix("sbom:")
    }
}

/// Largest SBOM document read as a source.
const MAX_SBOM_BYTES: u64 = 512 << 20;

/// Reads an SBOM back into an inventory.
pub(crate) fn read_sbom(
    path: &str,
    progress: &Progress,
) -> anyhow::Result<bosun_inventory::Inventory> {
    progress.message("reading SBOM");
    let file = std::fs::File::open(path).with_context(|| format!("cannot open SBOM {path}"))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_SBOM_BYTES + 1),
        &mut bytes,
    )
    .with_context(|| format!("cannot read SBOM {path}"))?;
    anyhow::ensure!(
        bytes.len() as u64 <= MAX_SBOM_BYTES,
        "SBOM {path} is larger than {} MiB",
        MAX_SBOM_BYTES >> 20
    );
    bosun_report::read_sbom(&bytes).with_context(|| format!("cannot read SBOM {path}"))
}

/// The inventory of the source: cataloged from an image, or read back from an SBOM.
pub(crate) fn inventory(
    args: &SourceArgs,
    progress: &Progress,
) -> anyhow::Result<bosun_inventory::Inventory> {
    if let Some(path) = args.sbom_path() {
        return read_sbom(path, progress);
    }
    let image = open(args, progress)?;
    progress.message("reading layers");
    Ok(bosun_catalog::catalog(&image)?)
}

/// Opens the image, verifying its manifest and config.
pub(crate) fn open(args: &SourceArgs, progress: &Progress) -> anyhow::Result<bosun_image::Image> {
    let source = bosun_image::Source::parse(&args.source)?;
    let mut limits = bosun_image::Limits::default();
    if let Some(n) = args.max_layer_size {
        limits.max_layer_bytes = n;
    }
    if let Some(n) = args.max_ratio {
        limits.max_ratio = n;
    }
    let opts = bosun_image::OpenOptions {
        platform: Some(args.platform.clone()),
        image: args.image.clone(),
        limits,
    };
    let mut registry = bosun_image::RegistryOptions {
        insecure: args.net.insecure,
        ca_file: args.net.ca_cert.clone(),
        ..bosun_image::RegistryOptions::default()
    };
    if let Some(username) = &args.username {
        let password = if args.password_stdin {
            let mut p = String::new();
            std::io::Read::read_to_string(
                &mut std::io::Read::take(std::io::stdin(), 64 << 10),
                &mut p,
            )
            .context("cannot read the password from standard input")?;
            p.trim_end_matches(['\r', '\n']).to_owned()
        } else {
            std::env::var("BOSUN_PASSWORD").map_err(|_| {
                anyhow::anyhow!("--username needs --password-stdin (or BOSUN_PASSWORD)")
            })?
        };
        registry.credentials = Some(bosun_image::Credentials {
            username: username.clone(),
            password,
        });
    }
    progress.message("opening image");
    let mut image = bosun_image::Image::open_with_registry(&source, &opts, &registry)?;
    if let Some(observer) = progress.observer() {
        image.set_observer(observer);
    }
    Ok(image)
}
