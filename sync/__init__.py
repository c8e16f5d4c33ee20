"""HR sync: units, jabatan and pegawai from the HR systems into Keycloak, by plan and apply."""
