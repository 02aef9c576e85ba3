#include "otter/pki/certificate_authority.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "otter/pki/files.h"
#include "x509_util.h"

namespace otter::pki {
namespace {

using detail::throw_ca;
using Clock = std::chrono::system_clock;

// Devices' clocks (and NTP-less boards) run a little behind: a certificate
// valid from "now" would be refused for a few minutes.
constexpr auto kBackdate = std::chrono::minutes(5);
constexpr int kCrlValidityDays = 730;
constexpr std::string_view kCrlPemHeader = "-----BEGIN X509 CRL-----";

crypto::PKey generate_p256_key() {
  crypto::PKey key(EVP_EC_gen("P-256"));
  if (!key) throw_ca("cannot generate a P-256 key");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw_ca("cannot build extension " + value);
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) throw_ca("cannot add extension " + value);
}

void set_common_name(X509_NAME* name, std::string_view cn) {
  if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.data()), static_cast<int>(cn.size()), -1,
                                 0) != 1) {
    throw_ca("cannot set common name " + std::string(cn));
  }
}

// A certificate for `key` named `cn`, valid for `days`, not yet signed nor
// extended.
crypto::X509Ptr new_certificate(std::string_view cn, EVP_PKEY* key, int days) {
  if (days <= 0) throw CaError("validity must be at least one day");
  crypto::X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) throw_ca("cannot allocate certificate");
  auto serial = detail::random_serial();
  const auto now = Clock::now();
  if (X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
      X509_set1_notBefore(cert.get(), detail::to_asn1_time(now - kBackdate).get()) != 1 ||
      X509_set1_notAfter(cert.get(), detail::to_asn1_time(now + std::chrono::days(days)).get()) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    throw_ca("cannot fill certificate");
  }
  set_common_name(X509_get_subject_name(cert.get()), cn);
  return cert;
}

IssuedCertificate describe(X509* cert, std::string private_key_pem) {
  IssuedCertificate issued;
  issued.certificate_pem = detail::certificate_to_pem(cert);
  issued.private_key_pem = std::move(private_key_pem);
  issued.serial_hex = detail::serial_to_hex(X509_get0_serialNumber(cert));
  issued.fingerprint_sha256 = detail::sha256_fingerprint(cert);
  issued.common_name = detail::common_name(X509_get_subject_name(cert));
  issued.not_before = detail::to_time_point(X509_get0_notBefore(cert));
  issued.not_after = detail::to_time_point(X509_get0_notAfter(cert));
  return issued;
}

bool is_rsa(EVP_PKEY* key) { return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA; }

// Keys a CSR may carry: what devices' TLS stacks use and still resist attack.
void check_csr_key(EVP_PKEY* key) {
  const int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_EC) {
    char group[64] = {};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), &length) != 1) {
      throw_ca("CSR key has no curve");
    }
    const std::string_view curve(group, length);
    if (curve != "prime256v1" && curve != "secp384r1" && curve != "P-256" && curve != "P-384") {
      throw CaError("CSR key curve " + std::string(curve) + " is not accepted (use P-256 or P-384)");
    }
    return;
  }
  if (type == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key) < 2048) {
      throw CaError("CSR RSA key has " + std::to_string(EVP_PKEY_get_bits(key)) + " bits (at least 2048 needed)");
    }
    return;
  }
  throw CaError("CSR key type is not accepted (use EC P-256/P-384 or RSA >= 2048)");
}

void check_thing_name(std::string_view name) {
  if (name == kServiceIdentity) {
    throw CaError("thing name '" + std::string(name) + "' is reserved for otterd's own identity");
  }
  if (!is_valid_thing_name(name)) {
    throw CaError("invalid thing name '" + std::string(name) +
                  "': use 1 to 128 characters of A-Z a-z 0-9 _ - :");
  }
}

// Two processes (otterd and `otter-broker revoke`) may rewrite the CRL at
// once; each read-modify-write holds this lock so no revocation is lost.
class CrlFileLock {
 public:
  explicit CrlFileLock(const PkiPaths& paths) {
    const auto file = paths.dir / ".crl.lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw CaError("cannot open " + file.string() + ": " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        ::close(fd_);
        throw CaError("cannot lock " + file.string() + ": " + std::strerror(errno));
      }
    }
  }
  ~CrlFileLock() { ::close(fd_); }
  CrlFileLock(const CrlFileLock&) = delete;
  CrlFileLock& operator=(const CrlFileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

bool is_valid_thing_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name == kServiceIdentity) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':';
  });
}

CertificateAuthority::CertificateAuthority(PkiPaths paths, crypto::PKey key, crypto::X509Ptr cert)
    : paths_(std::move(paths)), key_(std::move(key)), cert_(std::move(cert)), mutex_(std::make_unique<std::mutex>()) {}

CertificateAuthority::CertificateAuthority(CertificateAuthority&&) noexcept = default;
CertificateAuthority& CertificateAuthority::operator=(CertificateAuthority&&) noexcept = default;
CertificateAuthority::~CertificateAuthority() = default;

CertificateAuthority CertificateAuthority::create(const std::filesystem::path& dir, const CaOptions& options) {
  PkiPaths paths{dir};
  if (std::filesystem::exists(paths.ca_private_key()) || std::filesystem::exists(paths.ca_certificate())) {
    throw CaError("a CA already exists in " + dir.string() + "; refusing to overwrite it");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw CaError("cannot create " + dir.string() + ": " + ec.message());
  // Keys of the CA, otterd and the broker live here: owner only.
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (ec) throw CaError("cannot restrict " + dir.string() + ": " + ec.message());

  auto key = generate_p256_key();
  auto cert = new_certificate(options.common_name, key.get(), options.validity_days);
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1) throw_ca("cannot set issuer");
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) throw_ca("cannot self-sign CA certificate");

  // Key first: a folder with a certificate but no key is "corrupt", one with
  // a key but no certificate is retried by create() only after removal.
  write_private_file(paths.ca_private_key(), [&] {
    crypto::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      throw_ca("cannot encode CA key");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
  }());
  write_public_file(paths.ca_certificate(), detail::certificate_to_pem(cert.get()));

  CertificateAuthority ca(paths, std::move(key), std::move(cert));
  std::lock_guard lock(*ca.mutex_);
  ca.write_crl_locked({});
  return ca;
}

CertificateAuthority CertificateAuthority::open(const std::filesystem::path& dir) {
  PkiPaths paths{dir};
  for (const auto& file : {paths.ca_certificate(), paths.ca_private_key()}) {
    if (!std::filesystem::exists(file)) throw CaError("no CA in " + dir.string() + ": " + file.string() + " is missing");
  }
  // A CA key others can read is a CA anyone on the machine can use.
  const auto key_perms = std::filesystem::status(paths.ca_private_key()).permissions();
  using std::filesystem::perms;
  if ((key_perms & (perms::group_all | perms::others_all)) != perms::none) {
    throw CaError(paths.ca_private_key().string() + " is accessible by other users; run chmod 600 on it");
  }
  auto cert = detail::parse_certificate(read_file(paths.ca_certificate()));
  auto key = detail::parse_private_key(read_file(paths.ca_private_key()));
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    throw_ca(paths.ca_private_key().string() + " does not belong to " + paths.ca_certificate().string());
  }
  if (X509_check_ca(cert.get()) == 0) throw CaError(paths.ca_certificate().string() + " is not a CA certificate");
  CertificateAuthority ca(paths, std::move(key), std::move(cert));
  std::lock_guard lock(*ca.mutex_);
  if (!std::filesystem::exists(paths.crl())) ca.write_crl_locked({});
  // Reading it checks its signature: a tampered CRL stops here.
  ca.read_revoked_locked();
  return ca;
}

CertificateAuthority CertificateAuthority::open_or_create(const std::filesystem::path& dir, const CaOptions& options) {
  if (std::filesystem::exists(PkiPaths{dir}.ca_certificate())) return open(dir);
  return create(dir, options);
}

std::string CertificateAuthority::certificate_pem() const { return detail::certificate_to_pem(cert_.get()); }

std::string CertificateAuthority::fingerprint_sha256() const { return detail::sha256_fingerprint(cert_.get()); }

crypto::X509Ptr CertificateAuthority::sign_client_certificate(std::string_view cn, EVP_PKEY* key,
                                                              const char* key_usage, int days) {
  auto cert = new_certificate(cn, key, days);
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert_.get())) != 1) throw_ca("cannot set issuer");
  add_extension(cert.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), cert_.get(), NID_key_usage, key_usage);
  add_extension(cert.get(), cert_.get(), NID_ext_key_usage, "clientAuth");
  add_extension(cert.get(), cert_.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), cert_.get(), NID_authority_key_identifier, "keyid:always");
  std::lock_guard lock(*mutex_);
  if (X509_sign(cert.get(), key_.get(), EVP_sha256()) <= 0) throw_ca("cannot sign certificate");
  return cert;
}

IssuedCertificate CertificateAuthority::issue_thing_certificate(std::string_view thing_name,
                                                                const IssueOptions& options) {
  check_thing_name(thing_name);
  auto key = generate_p256_key();
  auto cert = sign_client_certificate(thing_name, key.get(), "critical,digitalSignature", options.validity_days);
  return describe(cert.get(), detail::private_key_to_pem(key.get()));
}

IssuedCertificate CertificateAuthority::sign_thing_csr(std::string_view thing_name, std::string_view csr_pem,
                                                       const IssueOptions& options) {
  check_thing_name(thing_name);
  crypto::BioPtr bio(BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size())));
  crypto::X509ReqPtr csr(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!csr) throw_ca("not a PEM certificate signing request");
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr.get());
  if (key == nullptr) throw_ca("CSR has no public key");
  if (X509_REQ_verify(csr.get(), key) != 1) throw_ca("CSR signature does not verify");
  check_csr_key(key);

  // RSA key exchange (TLS 1.2) needs keyEncipherment; ECDHE needs only signatures.
  auto cert = sign_client_certificate(
      thing_name, key, is_rsa(key) ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature",
      options.validity_days);
  return describe(cert.get(), {});
}

IssuedCertificate CertificateAuthority::issue_service_certificate(const IssueOptions& options) {
  auto key = generate_p256_key();
  auto cert = sign_client_certificate(kServiceIdentity, key.get(), "critical,digitalSignature", options.validity_days);
  return describe(cert.get(), detail::private_key_to_pem(key.get()));
}

IssuedCertificate CertificateAuthority::issue_broker_certificate(const BrokerNames& names,
                                                                 const IssueOptions& options) {
  if (names.dns_names.empty() && names.ip_addresses.empty()) {
    throw CaError("the broker certificate needs at least one DNS name or IP address");
  }
  std::string san;
  for (const auto& dns : names.dns_names) {
    if (dns.empty() || dns.find_first_of(",: \t") != std::string::npos) throw CaError("bad DNS name '" + dns + "'");
    san += (san.empty() ? "" : ",") + std::string("DNS:") + dns;
  }
  for (const auto& ip : names.ip_addresses) {
    if (ip.empty() || ip.find_first_of(", \t") != std::string::npos) throw CaError("bad IP address '" + ip + "'");
    san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  }
  const std::string cn = names.dns_names.empty() ? names.ip_addresses.front() : names.dns_names.front();
  auto key = generate_p256_key();
  auto cert = new_certificate(cn, key.get(), options.validity_days);
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert_.get())) != 1) throw_ca("cannot set issuer");
  add_extension(cert.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), cert_.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), cert_.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), cert_.get(), NID_subject_alt_name, san);
  add_extension(cert.get(), cert_.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), cert_.get(), NID_authority_key_identifier, "keyid:always");
  std::lock_guard lock(*mutex_);
  if (X509_sign(cert.get(), key_.get(), EVP_sha256()) <= 0) throw_ca("cannot sign certificate");
  return describe(cert.get(), detail::private_key_to_pem(key.get()));
}

void CertificateAuthority::revoke(std::string_view serial_hex) {
  const std::string serial = detail::normalise_serial_hex(serial_hex);
  std::lock_guard lock(*mutex_);
  CrlFileLock file_lock(paths_);
  auto revoked = read_revoked_locked();
  if (std::any_of(revoked.begin(), revoked.end(), [&](const auto& r) { return r.serial_hex == serial; })) return;
  revoked.push_back({serial, Clock::now()});
  write_crl_locked(revoked);
}

bool CertificateAuthority::is_revoked(std::string_view serial_hex) const {
  const std::string serial = detail::normalise_serial_hex(serial_hex);
  std::lock_guard lock(*mutex_);
  const auto revoked = read_revoked_locked();
  return std::any_of(revoked.begin(), revoked.end(), [&](const auto& r) { return r.serial_hex == serial; });
}

std::vector<RevokedCertificate> CertificateAuthority::revoked() const {
  std::lock_guard lock(*mutex_);
  return read_revoked_locked();
}

void CertificateAuthority::refresh_crl() {
  std::lock_guard lock(*mutex_);
  CrlFileLock file_lock(paths_);
  write_crl_locked(read_revoked_locked());
}

bool CertificateAuthority::crl_needs_refresh() const {
  std::lock_guard lock(*mutex_);
  crypto::X509CrlPtr crl;
  {
    const std::string pem = read_file(paths_.crl());
    crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  }
  if (!crl) throw_ca("unreadable CRL " + paths_.crl().string());
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
  if (next == nullptr) return false;
  const auto last = detail::to_time_point(X509_CRL_get0_lastUpdate(crl.get()));
  const auto until = detail::to_time_point(next);
  return Clock::now() > last + (until - last) / 2;
}

std::vector<RevokedCertificate> CertificateAuthority::read_revoked_locked() const {
  const std::string pem = read_file(paths_.crl());
  if (pem.find(kCrlPemHeader) == std::string::npos) throw CaError(paths_.crl().string() + " is not a PEM CRL");
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  crypto::X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) throw_ca("unreadable CRL " + paths_.crl().string());
  if (X509_CRL_verify(crl.get(), key_.get()) != 1) {
    throw_ca(paths_.crl().string() + " is not signed by this CA (tampered?)");
  }
  std::vector<RevokedCertificate> result;
  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl.get());
  for (int i = 0; i < sk_X509_REVOKED_num(entries); ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(entries, i);
    result.push_back({detail::serial_to_hex(X509_REVOKED_get0_serialNumber(entry)),
                      detail::to_time_point(X509_REVOKED_get0_revocationDate(entry))});
  }
  return result;
}

void CertificateAuthority::write_crl_locked(const std::vector<RevokedCertificate>& revoked) {
  // The CRL number must grow with each issue; the previous one is read from
  // the file being replaced.
  long number = 1;
  if (std::filesystem::exists(paths_.crl())) {
    const std::string pem = read_file(paths_.crl());
    crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    crypto::X509CrlPtr old(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (old) {
      auto* previous = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(old.get(), NID_crl_number, nullptr, nullptr));
      if (previous != nullptr) {
        number = ASN1_INTEGER_get(previous) + 1;
        ASN1_INTEGER_free(previous);
      }
    }
  }

  crypto::X509CrlPtr crl(X509_CRL_new());
  const auto now = Clock::now();
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(cert_.get())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), detail::to_asn1_time(now - kBackdate).get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), detail::to_asn1_time(now + std::chrono::days(kCrlValidityDays)).get()) !=
          1) {
    throw_ca("cannot build CRL");
  }
  for (const auto& entry : revoked) {
    X509_REVOKED* item = X509_REVOKED_new();
    if (item == nullptr) throw_ca("cannot build CRL entry");
    auto serial = detail::serial_from_hex(entry.serial_hex);
    if (X509_REVOKED_set_serialNumber(item, serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(item, detail::to_asn1_time(entry.revoked_at).get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), item) != 1) {
      X509_REVOKED_free(item);
      throw_ca("cannot add CRL entry " + entry.serial_hex);
    }
  }
  detail::Asn1IntegerPtr crl_number(ASN1_INTEGER_new());
  if (!crl_number || ASN1_INTEGER_set(crl_number.get(), number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, crl_number.get(), 0, 0) != 1) {
    throw_ca("cannot number CRL");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert_.get(), nullptr, nullptr, crl.get(), 0);
  X509_EXTENSION* akid = X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
  if (akid == nullptr) throw_ca("cannot build CRL key identifier");
  const int added = X509_CRL_add_ext(crl.get(), akid, -1);
  X509_EXTENSION_free(akid);
  if (added != 1) throw_ca("cannot add CRL key identifier");
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), key_.get(), EVP_sha256()) <= 0) throw_ca("cannot sign CRL");

  crypto::BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509_CRL(out.get(), crl.get()) != 1) throw_ca("cannot encode CRL");
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  write_public_file(paths_.crl(), std::string_view(data, static_cast<size_t>(size)));
}

}  // namespace otter::pki
