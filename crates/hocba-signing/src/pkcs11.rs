//! PKCS#11 hardware tokens (to come).
