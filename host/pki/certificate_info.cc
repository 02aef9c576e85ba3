#include "otter/pki/certificate_info.h"

#include <openssl/x509v3.h>

#include "otter/pki/certificate_authority.h"
#include "x509_util.h"

namespace otter::pki {

CertificateInfo inspect_certificate(std::string_view certificate_pem) {
  auto cert = detail::parse_certificate(certificate_pem);
  CertificateInfo info;
  info.common_name = detail::common_name(X509_get_subject_name(cert.get()));
  info.issuer_common_name = detail::common_name(X509_get_issuer_name(cert.get()));
  info.serial_hex = detail::serial_to_hex(X509_get0_serialNumber(cert.get()));
  info.fingerprint_sha256 = detail::sha256_fingerprint(cert.get());
  info.not_before = detail::to_time_point(X509_get0_notBefore(cert.get()));
  info.not_after = detail::to_time_point(X509_get0_notAfter(cert.get()));
  info.is_ca = X509_check_ca(cert.get()) != 0;
  return info;
}

bool is_issued_by(std::string_view certificate_pem, std::string_view ca_pem) {
  auto cert = detail::parse_certificate(certificate_pem);
  auto ca = detail::parse_certificate(ca_pem);
  crypto::X509StorePtr store(X509_STORE_new());
  crypto::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1) {
    detail::throw_ca("cannot set up certificate verification");
  }
  const bool ok = X509_verify_cert(ctx.get()) == 1;
  crypto::openssl_errors();  // a failed verification leaves errors behind; they are the answer, not a fault
  return ok;
}

}  // namespace otter::pki
