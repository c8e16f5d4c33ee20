# ruff: noqa: E501  (a data table reads better one OPD per line)
"""The synthetic province's organisation: OPD names (as Banten names them) and their parts.

Only the shape is realistic; the people the generator puts in it are invented.
"""

from __future__ import annotations

# (OPD name, bidang / second-level parts, UPTD count). The Sekretariat Daerah, the RSUD and
# the Inspektorat have shapes of their own (see demo_data._opd_units).
SEKDA = "Sekretariat Daerah"
ASISTEN_BIRO: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Asisten Pemerintahan dan Kesejahteraan Rakyat",
        ("Biro Pemerintahan", "Biro Kesejahteraan Rakyat", "Biro Hukum"),
    ),
    (
        "Asisten Perekonomian dan Pembangunan",
        (
            "Biro Perekonomian dan Administrasi Pembangunan",
            "Biro Pengadaan Barang dan Jasa",
            "Biro Infrastruktur dan Sumber Daya Alam",
        ),
    ),
    ("Asisten Administrasi Umum", ("Biro Umum", "Biro Organisasi", "Biro Administrasi Pimpinan")),
)
BAGIAN_BIRO = (
    "Bagian Perencanaan dan Evaluasi",
    "Bagian Fasilitasi dan Koordinasi",
    "Bagian Tata Usaha Biro",
)
SUBBAGIAN = ("Subbagian Perencanaan", "Subbagian Pelaksanaan", "Subbagian Evaluasi dan Pelaporan")

OPD: tuple[tuple[str, tuple[str, ...], int], ...] = (
    (
        "Sekretariat DPRD",
        (
            "Bagian Umum",
            "Bagian Keuangan",
            "Bagian Persidangan dan Perundang-undangan",
            "Bagian Fasilitasi Penganggaran dan Pengawasan",
        ),
        0,
    ),
    (
        "Inspektorat",
        (
            "Inspektur Pembantu Wilayah I",
            "Inspektur Pembantu Wilayah II",
            "Inspektur Pembantu Wilayah III",
            "Inspektur Pembantu Wilayah IV",
        ),
        0,
    ),
    (
        "Badan Perencanaan Pembangunan Daerah",
        (
            "Bidang Perencanaan Makro",
            "Bidang Pemerintahan dan Pembangunan Manusia",
            "Bidang Perekonomian dan SDA",
            "Bidang Infrastruktur dan Kewilayahan",
        ),
        0,
    ),
    (
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        ("Bidang Anggaran", "Bidang Perbendaharaan", "Bidang Akuntansi", "Bidang Aset"),
        0,
    ),
    (
        "Badan Pendapatan Daerah",
        ("Bidang Pajak Daerah", "Bidang Retribusi dan Pendapatan Lain", "Bidang Pengendalian dan Evaluasi"),
        12,
    ),
    (
        "Badan Kepegawaian Daerah",
        (
            "Bidang Pengadaan dan Informasi Kepegawaian",
            "Bidang Mutasi dan Promosi",
            "Bidang Pengembangan Karier",
            "Bidang Penilaian Kinerja dan Disiplin",
        ),
        0,
    ),
    (
        "Badan Pengembangan Sumber Daya Manusia",
        ("Bidang Kompetensi Manajerial", "Bidang Kompetensi Teknis", "Bidang Sertifikasi Kompetensi"),
        0,
    ),
    (
        "Badan Kesatuan Bangsa dan Politik",
        (
            "Bidang Ideologi dan Wawasan Kebangsaan",
            "Bidang Politik Dalam Negeri",
            "Bidang Ketahanan Ekonomi, Sosial dan Budaya",
        ),
        0,
    ),
    (
        "Badan Penanggulangan Bencana Daerah",
        (
            "Bidang Pencegahan dan Kesiapsiagaan",
            "Bidang Kedaruratan dan Logistik",
            "Bidang Rehabilitasi dan Rekonstruksi",
        ),
        1,
    ),
    (
        "Badan Riset dan Inovasi Daerah",
        ("Bidang Riset", "Bidang Inovasi Daerah", "Bidang Teknologi Terapan"),
        0,
    ),
    (
        "Dinas Pendidikan dan Kebudayaan",
        (
            "Bidang Pembinaan SMA",
            "Bidang Pembinaan SMK",
            "Bidang Pendidikan Khusus",
            "Bidang Ketenagaan",
            "Bidang Kebudayaan",
        ),
        24,
    ),
    (
        "Dinas Kesehatan",
        (
            "Bidang Kesehatan Masyarakat",
            "Bidang Pencegahan dan Pengendalian Penyakit",
            "Bidang Pelayanan Kesehatan",
            "Bidang Sumber Daya Kesehatan",
        ),
        5,
    ),
    (
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        (
            "Bidang Bina Marga",
            "Bidang Sumber Daya Air",
            "Bidang Cipta Karya",
            "Bidang Penataan Ruang",
            "Bidang Jasa Konstruksi",
        ),
        9,
    ),
    (
        "Dinas Perumahan Rakyat dan Kawasan Permukiman",
        ("Bidang Perumahan", "Bidang Kawasan Permukiman", "Bidang Prasarana, Sarana dan Utilitas"),
        1,
    ),
    (
        "Satuan Polisi Pamong Praja",
        (
            "Bidang Penegakan Peraturan Daerah",
            "Bidang Ketertiban Umum",
            "Bidang Perlindungan Masyarakat",
            "Bidang Pemadam Kebakaran",
        ),
        0,
    ),
    (
        "Dinas Sosial",
        (
            "Bidang Perlindungan dan Jaminan Sosial",
            "Bidang Rehabilitasi Sosial",
            "Bidang Pemberdayaan Sosial",
        ),
        4,
    ),
    (
        "Dinas Tenaga Kerja dan Transmigrasi",
        (
            "Bidang Pelatihan dan Produktivitas",
            "Bidang Penempatan Tenaga Kerja",
            "Bidang Hubungan Industrial",
            "Bidang Pengawasan Ketenagakerjaan",
        ),
        4,
    ),
    (
        "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Kependudukan dan Keluarga Berencana",
        ("Bidang Kesetaraan Gender", "Bidang Perlindungan Anak", "Bidang Kependudukan dan Pencatatan Sipil"),
        1,
    ),
    (
        "Dinas Ketahanan Pangan",
        ("Bidang Ketersediaan Pangan", "Bidang Distribusi Pangan", "Bidang Konsumsi dan Keamanan Pangan"),
        1,
    ),
    (
        "Dinas Lingkungan Hidup dan Kehutanan",
        ("Bidang Tata Lingkungan", "Bidang Pengendalian Pencemaran", "Bidang Kehutanan"),
        6,
    ),
    (
        "Dinas Pemberdayaan Masyarakat dan Desa",
        ("Bidang Pemerintahan Desa", "Bidang Pemberdayaan Masyarakat", "Bidang Ekonomi Desa"),
        0,
    ),
    (
        "Dinas Perhubungan",
        ("Bidang Lalu Lintas Angkutan Jalan", "Bidang Pelayaran", "Bidang Perkeretaapian"),
        5,
    ),
    (
        "Dinas Komunikasi, Informatika, Statistik dan Persandian",
        (
            "Bidang Aplikasi Informatika",
            "Bidang Infrastruktur TIK",
            "Bidang Statistik",
            "Bidang Persandian",
            "Bidang Informasi Publik",
        ),
        0,
    ),
    (
        "Dinas Koperasi dan Usaha Kecil Menengah",
        ("Bidang Kelembagaan Koperasi", "Bidang Usaha Mikro", "Bidang Pembiayaan"),
        1,
    ),
    (
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        ("Bidang Perencanaan Penanaman Modal", "Bidang Pelayanan Perizinan", "Bidang Pengaduan"),
        0,
    ),
    (
        "Dinas Kepemudaan dan Olahraga",
        ("Bidang Kepemudaan", "Bidang Olahraga Prestasi", "Bidang Prasarana Olahraga"),
        1,
    ),
    ("Dinas Perpustakaan dan Kearsipan", ("Bidang Perpustakaan", "Bidang Kearsipan", "Bidang Deposit"), 0),
    (
        "Dinas Kelautan dan Perikanan",
        ("Bidang Perikanan Tangkap", "Bidang Perikanan Budidaya", "Bidang Pengelolaan Ruang Laut"),
        4,
    ),
    ("Dinas Pariwisata", ("Bidang Destinasi Pariwisata", "Bidang Pemasaran", "Bidang Ekonomi Kreatif"), 0),
    (
        "Dinas Pertanian",
        ("Bidang Tanaman Pangan", "Bidang Hortikultura", "Bidang Peternakan", "Bidang Perkebunan"),
        6,
    ),
    (
        "Dinas Perindustrian dan Perdagangan",
        ("Bidang Industri", "Bidang Perdagangan Dalam Negeri", "Bidang Perlindungan Konsumen"),
        2,
    ),
    (
        "Dinas Energi dan Sumber Daya Mineral",
        ("Bidang Energi", "Bidang Ketenagalistrikan", "Bidang Geologi"),
        3,
    ),
)
RSUD = ("RSUD Banten", "RSUD Malingping")
RSUD_WADIR = (
    ("Wakil Direktur Pelayanan", ("Bidang Pelayanan Medik", "Bidang Keperawatan", "Bidang Penunjang")),
    ("Wakil Direktur Umum dan Keuangan", ("Bagian Umum", "Bagian Keuangan", "Bagian Perencanaan")),
)

SEKRETARIAT_SUBBAG = (
    "Subbagian Umum dan Kepegawaian",
    "Subbagian Keuangan",
    "Subbagian Perencanaan dan Evaluasi",
)
UPTD_PARTS = ("Subbagian Tata Usaha", "Seksi Pelayanan", "Seksi Teknis")

FUNGSIONAL = (
    "Analis Kebijakan Ahli Madya",
    "Analis Kebijakan Ahli Muda",
    "Analis Kebijakan Ahli Pertama",
    "Perencana Ahli Muda",
    "Perencana Ahli Pertama",
    "Pranata Komputer Ahli Muda",
    "Pranata Komputer Ahli Pertama",
    "Pranata Komputer Terampil",
    "Arsiparis Ahli Pertama",
    "Arsiparis Terampil",
    "Analis Sumber Daya Manusia Aparatur Ahli Pertama",
    "Pengelola Pengadaan Barang/Jasa Ahli Pertama",
)
FUNGSIONAL_KHUSUS: dict[str, tuple[str, ...]] = {
    "Inspektorat": ("Auditor Ahli Madya", "Auditor Ahli Muda", "Auditor Ahli Pertama", "P2UPD Ahli Muda"),
    "Dinas Pendidikan dan Kebudayaan": (
        "Guru Ahli Madya",
        "Guru Ahli Muda",
        "Guru Ahli Pertama",
        "Pamong Budaya",
    ),
    "Dinas Kesehatan": ("Dokter Ahli Muda", "Epidemiolog Kesehatan Ahli Muda", "Perawat Ahli Pertama"),
    "RSUD Banten": (
        "Dokter Ahli Madya",
        "Dokter Ahli Pertama",
        "Perawat Ahli Muda",
        "Perawat Terampil",
        "Bidan Terampil",
        "Apoteker Ahli Pertama",
    ),
    "RSUD Malingping": ("Dokter Ahli Pertama", "Perawat Terampil", "Bidan Terampil"),
    "Satuan Polisi Pamong Praja": ("Polisi Pamong Praja Ahli Pertama", "Polisi Pamong Praja Terampil"),
    "Dinas Pertanian": ("Penyuluh Pertanian Ahli Muda", "Pengawas Bibit Ternak Ahli Pertama"),
    "Dinas Perpustakaan dan Kearsipan": ("Pustakawan Ahli Muda", "Pustakawan Terampil"),
    "Dinas Komunikasi, Informatika, Statistik dan Persandian": (
        "Statistisi Ahli Muda",
        "Sandiman Ahli Pertama",
        "Pranata Hubungan Masyarakat Ahli Muda",
    ),
    "Dinas Lingkungan Hidup dan Kehutanan": (
        "Pengendali Dampak Lingkungan Ahli Muda",
        "Polisi Kehutanan Terampil",
    ),
}
PELAKSANA = (
    "Pengadministrasi Umum",
    "Pengadministrasi Perkantoran",
    "Pengelola Data",
    "Pengadministrasi Keuangan",
    "Bendahara",
    "Pengelola Barang Milik Daerah",
    "Penata Laporan Keuangan",
    "Pengolah Data dan Informasi",
    "Pengelola Kepegawaian",
    "Penelaah Teknis Kebijakan",
    "Pengemudi",
    "Operator Layanan Operasional",
)
