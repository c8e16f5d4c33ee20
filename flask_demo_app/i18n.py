"""Bahasa Indonesia first, English on request: ``?lang=en`` (remembered in the session)."""

from __future__ import annotations

from flask import request, session

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

TEXT: dict[str, tuple[str, str]] = {
    "app_name": ("Dashboard Pimpinan", "Leadership Dashboard"),
    "province": ("Pemerintah Provinsi Banten", "Provincial Government of Banten"),
    "nav_home": ("Beranda", "Home"),
    "nav_profile": ("Profil saya", "My profile"),
    "nav_staff": ("Kepegawaian", "Staff"),
    "nav_education": ("Pendidikan", "Education"),
    "nav_apps": ("Aplikasi saya", "My apps"),
    "logout": ("Keluar", "Log out"),
    "login": ("Masuk", "Log in"),
    "switch_lang": ("English", "Bahasa Indonesia"),
    "welcome": ("Selamat datang", "Welcome"),
    "login_lead": ("Masuk sekali dengan NIP Anda melalui Banten Satu Login untuk melihat data sesuai "
                   "jabatan Anda.", "Log in once with your NIP through Banten Satu Login to see the "
                   "figures your position allows."),
    "login_button": ("Masuk dengan Banten Satu Login", "Log in with Banten Satu Login"),
    "nip": ("NIP", "NIP"),
    "name": ("Nama", "Name"),
    "unit": ("Unit kerja", "Unit"),
    "jabatan": ("Jabatan", "Position"),
    "eselon": ("Eselon", "Echelon"),
    "golongan": ("Golongan", "Rank (golongan)"),
    "roles": ("Peran", "Roles"),
    "role": ("Peran", "Role"),
    "role_source": ("Asal peran", "Where it comes from"),
    "role_realm": ("peran realm (seluruh Pemprov)", "realm role (province-wide)"),
    "role_client": ("peran aplikasi", "application role"),
    "role_origin_token": ("dibaca dari token; rincian aturan pemetaan belum tersedia",
                          "read from the token; mapping-rule detail not available"),
    "scope": ("Lingkup data", "Data scope"),
    "scope_province": ("Seluruh Provinsi Banten", "The whole Province of Banten"),
    "scope_none": ("Tidak ada: jabatan Anda tidak memberi akses data kepegawaian unit.",
                   "None: your position gives no access to unit staff figures."),
    "staff_title": ("Data kepegawaian", "Staff figures"),
    "staff_none": ("Jabatan Anda tidak memberi akses ke data kepegawaian unit. Profil, data "
                   "pendidikan dan aplikasi Anda tetap tersedia.",
                   "Your position gives no access to unit staff figures. Your profile, the "
                   "education figures and your apps remain available."),
    "headcount": ("Jumlah pegawai aktif", "Active staff"),
    "by_unit": ("Pegawai per unit", "Staff by unit"),
    "by_golongan": ("Pegawai per golongan", "Staff by rank (golongan)"),
    "by_eselon": ("Pegawai per eselon", "Staff by echelon"),
    "joiners": ("Pegawai baru (sinkronisasi terakhir)", "Joiners (last sync)"),
    "leavers": ("Pegawai keluar (sinkronisasi terakhir)", "Leavers (last sync)"),
    "no_changes": ("Tidak ada.", "None."),
    "last_sync": ("Sinkronisasi terakhir", "Last sync"),
    "unknown": ("tidak diketahui", "unknown"),
    "data_source": ("Sumber data", "Data source"),
    "no_staff_data": ("Data kepegawaian belum tersedia: sinkronisasi SIMPEG belum dijalankan.",
                      "Staff data is not available yet: the SIMPEG sync has not run."),
    "detail": ("Rincian", "Details"),
    "people": ("orang", "people"),
    "reason": ("Alasan", "Reason"),
    "forbidden_title": ("Akses ditolak", "Access refused"),
    "forbidden_unit": ("Data unit ini di luar lingkup jabatan Anda. Anda hanya dapat melihat unit "
                       "dalam lingkup Anda.", "This unit's data is outside the scope of your "
                       "position. You can only see units within your scope."),
    "forbidden_help": ("Jika menurut Anda ini keliru, hubungi admin SSO Diskominfo dengan "
                       "menyebutkan NIP Anda dan alamat halaman ini.",
                       "If you believe this is wrong, contact the Diskominfo SSO admins with your "
                       "NIP and this page's address."),
    "not_found_title": ("Halaman tidak ditemukan", "Page not found"),
    "not_found_unit": ("Kode unit tidak dikenal atau tidak valid (harus 15 digit).",
                       "Unknown or invalid unit code (must be 15 digits)."),
    "not_found_page": ("Alamat ini tidak ada di Dashboard Pimpinan.", "This address does not exist here."),
    "back_home": ("Kembali ke beranda", "Back to the home page"),
    "edu_title": ("Data pendidikan (Dapodik)", "Education figures (Dapodik)"),
    "edu_lead": ("Sekolah, guru, tenaga kependidikan dan peserta didik per kabupaten/kota.",
                 "Schools, teachers, staff and pupils per regency/city."),
    "edu_date": ("Data situs Dapodik tanggal", "Dapodik site data of"),
    "edu_note": ("Catatan data", "About the data"),
    "tabel_sekolah": ("Sekolah per kabupaten/kota", "Schools per regency/city"),
    "tabel_guru": ("Guru per kabupaten/kota", "Teachers per regency/city"),
    "tabel_pegawai": ("Tenaga kependidikan per kabupaten/kota", "Education staff per regency/city"),
    "tabel_peserta_didik": ("Peserta didik per kabupaten/kota", "Pupils per regency/city"),
    "per_jenjang": ("per jenjang", "per school level"),
    "group_n": ("Negeri", "State"),
    "group_s": ("Swasta", "Private"),
    "group_l": ("Laki-laki", "Male"),
    "group_p": ("Perempuan", "Female"),
    "wilayah": ("Kabupaten/kota", "Regency/city"),
    "total": ("Jumlah", "Total"),
    "show_table": ("Tampilkan tabel", "Show the table"),
    "apps_title": ("Aplikasi saya", "My apps"),
    "apps_lead": ("Aplikasi yang dapat Anda buka. Anda sudah masuk: tidak perlu login lagi.",
                  "Apps you can open. You are already logged in: no second login."),
    "apps_none": ("Belum ada aplikasi lain untuk jabatan Anda.", "No other apps for your position yet."),
    "open": ("Buka", "Open"),
    "this_app": ("aplikasi ini", "this app"),
}


def current_language() -> str:
    """``?lang=`` wins and is remembered in the session; otherwise the session, else Indonesian."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    stored = session.get("lang")
    return stored if stored in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, lang: str | None = None) -> str:
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[1] if (lang or current_language()) == "en" else pair[0]
