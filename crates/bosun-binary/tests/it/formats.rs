//! The readers beyond a plain ELF: an ELF whose section headers were stripped (the build
//! info is then found through the first writable load segment, as `debug/buildinfo` does),
//! and a Mach-O file carrying the same `__go_buildinfo` and `.dep-v0` bytes as the real ELF
//! binaries.

use object::write::Object as ObjectWriter;
use object::{Architecture, BinaryFormat, Endianness, Object, ObjectSection, SectionKind};

fn real(rel: &str) -> Option<Vec<u8>> {
    bosun_testdata::path(rel).map(|p| std::fs::read(p).unwrap())
}

const GO_INLINE: &str =
    "data/app-deps/binaries/go/osv-scalibr-binary_with_module_replacement-linux-amd64";
const GO_POINTERS: &str = "data/app-deps/binaries/go/trivy-test.elf";
const RUST: &str = "data/app-deps/binaries/rust-cargo-auditable/osv-scalibr-uses_serde_json";

/// Zeroes `e_shoff`, `e_shnum` and `e_shstrndx` of a little-endian ELF64: no sections left.
fn strip_section_headers(mut b: Vec<u8>) -> Vec<u8> {
    assert_eq!(&b[..6], b"\x7fELF\x02\x01", "a little-endian ELF64");
    b[0x28..0x30].fill(0);
    b[0x3c..0x40].fill(0);
    b
}

#[test]
fn build_info_is_found_through_segments_when_sections_are_stripped() {
    for rel in [GO_INLINE, GO_POINTERS] {
        let Some(orig) = real(rel) else { return };
        let want = bosun_binary::go::build_info(&orig).unwrap().unwrap();
        let stripped = strip_section_headers(orig);
        let parsed = object::File::parse(&*stripped).unwrap();
        assert_eq!(parsed.sections().count(), 0, "{rel}: sections really gone");
        let got = bosun_binary::go::build_info(&stripped).unwrap();
        assert_eq!(got.as_ref(), Some(&want), "{rel}");
    }
}

fn section_bytes(elf: &[u8], name: &str) -> Vec<u8> {
    let f = object::File::parse(elf).unwrap();
    f.section_by_name(name).unwrap().data().unwrap().to_vec()
}

#[test]
fn macho_go_buildinfo_and_dep_v0_sections_are_read() {
    let (Some(go), Some(rust)) = (real(GO_INLINE), real(RUST)) else {
        return;
    };
    let mut w = ObjectWriter::new(
        BinaryFormat::MachO,
        Architecture::X86_64,
        Endianness::Little,
    );
    let text = w.add_section(b"__TEXT".to_vec(), b"__text".to_vec(), SectionKind::Text);
    w.append_section_data(text, &[0xc3; 64], 16);
    let bi = w.add_section(
        b"__DATA".to_vec(),
        b"__go_buildinfo".to_vec(),
        SectionKind::Data,
    );
    w.append_section_data(bi, &section_bytes(&go, ".go.buildinfo"), 16);
    let dep = w.add_section(b"__DATA".to_vec(), b".dep-v0".to_vec(), SectionKind::Data);
    w.append_section_data(dep, &section_bytes(&rust, ".dep-v0"), 1);
    let macho = w.write().unwrap();
    assert_eq!(&macho[..4], &[0xcf, 0xfa, 0xed, 0xfe]);

    let want_go = bosun_binary::go::build_info(&go).unwrap().unwrap();
    assert_eq!(bosun_binary::go::build_info(&macho).unwrap(), Some(want_go));
    let want_rust = bosun_binary::rust::audit_data(&rust).unwrap().unwrap();
    assert_eq!(
        bosun_binary::rust::audit_data(&macho).unwrap(),
        Some(want_rust)
    );

    // Through analyze: the Go packages, then the crates, as from the two ELF files.
    let mut want = bosun_binary::analyze("app", &go).unwrap();
    want.extend(bosun_binary::analyze("app", &rust).unwrap());
    assert_eq!(bosun_binary::analyze("app", &macho).unwrap(), want);
}

#[test]
fn pe_data_and_dep_v0_sections_are_read() {
    use object::pe;
    use object::write::pe::{NtHeaders, Writer};
    let (Some(go), Some(rust)) = (real(GO_INLINE), real(RUST)) else {
        return;
    };
    // Go puts the build info at the start of `.data` in PE files; pad it as a linker might.
    let mut data = vec![0u8; 0x40];
    data.extend_from_slice(&section_bytes(&go, ".go.buildinfo"));
    let dep = section_bytes(&rust, ".dep-v0");
    let (data_len, dep_len) = (
        u32::try_from(data.len()).unwrap(),
        u32::try_from(dep.len()).unwrap(),
    );

    let mut buf = Vec::new();
    let mut w = Writer::new(true, 0x1000, 0x200, &mut buf);
    w.reserve_dos_header_and_stub();
    w.reserve_nt_headers(16);
    w.reserve_section_headers(2);
    let d = w.reserve_data_section(data_len, data_len);
    let r = w.reserve_section(
        *b".dep-v0\0",
        pe::IMAGE_SCN_CNT_INITIALIZED_DATA | pe::IMAGE_SCN_MEM_READ,
        dep_len,
        dep_len,
    );
    w.write_dos_header_and_stub().unwrap();
    w.write_nt_headers(NtHeaders {
        machine: pe::IMAGE_FILE_MACHINE_AMD64,
        time_date_stamp: 0,
        characteristics: pe::IMAGE_FILE_EXECUTABLE_IMAGE | pe::IMAGE_FILE_LARGE_ADDRESS_AWARE,
        major_linker_version: 3,
        minor_linker_version: 0,
        address_of_entry_point: 0,
        image_base: 0x1_4000_0000,
        major_operating_system_version: 6,
        minor_operating_system_version: 1,
        major_image_version: 1,
        minor_image_version: 0,
        major_subsystem_version: 6,
        minor_subsystem_version: 1,
        subsystem: pe::IMAGE_SUBSYSTEM_WINDOWS_CUI,
        dll_characteristics: pe::DllFlags(0),
        size_of_stack_reserve: 0x20_0000,
        size_of_stack_commit: 0x1000,
        size_of_heap_reserve: 0x10_0000,
        size_of_heap_commit: 0x1000,
    });
    w.write_section_headers();
    w.write_section(d.file_offset, &data);
    w.write_section(r.file_offset, &dep);
    assert_eq!(&buf[..2], b"MZ");

    let want_go = bosun_binary::go::build_info(&go).unwrap().unwrap();
    assert_eq!(bosun_binary::go::build_info(&buf).unwrap(), Some(want_go));
    let want_rust = bosun_binary::rust::audit_data(&rust).unwrap().unwrap();
    assert_eq!(
        bosun_binary::rust::audit_data(&buf).unwrap(),
        Some(want_rust)
    );
}
