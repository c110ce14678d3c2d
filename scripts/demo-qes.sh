#!/usr/bin/env bash
# A demo certification authority for the "qualified electronic signature" way
# of confirming an identity (SPEC ID-3c), with the openssl command line and
# Debian's GOST engine (libengine-gost-openssl), loaded from an OpenSSL config
# with an engine section (its provider module does not load on Debian 12).
#
#   scripts/demo-qes.sh issue DIR
#       A fresh demo CA (GOST R 34.10-2012, 256 bit) in DIR and, signed by it,
#       certificates with keys (DIR/<name>.pem, DIR/<name>.key):
#         person      the demo person p0001 of data/registries/people.json
#                     (Смирнова Анна Сергеевна, SNILS and INN in the subject)
#         revoked     the same person, revoked in DIR/crl.pem
#         expired     the same person, valid in 2020 only
#         nosnils     the same person without SNILS
#         other       another demo person (p0002, Кузнецов Пётр Алексеевич)
#         wronginn    p0001's SNILS with another person's INN
#         nokeyusage  the same person, a key only for encipherment
#         rsa, ec     the same person with an RSA 2048 and an ECDSA P-256 key
#         untrusted   the same person from a second CA (DIR/untrusted-ca) that
#                     the portal does not trust
#       DIR/trust/ holds what the portal trusts (the CA certificate and CRL):
#       give it to `uslugi serve --qes-trust-dir`.
#   scripts/demo-qes.sh sign DIR NAME CHALLENGE OUT [der|pem]
#       A detached CMS signature of the file CHALLENGE with certificate NAME.
#   scripts/demo-qes.sh config DIR
#       Only writes DIR/openssl.cnf (for `OPENSSL_CONF=DIR/openssl.cnf openssl cms …`).
#
# Demo only: every key here is made on this machine, nothing is a real
# person's. The portal's data/qes holds one such CA's certificate and CRL
# (and the demo person's certificate and key to try the flow with).
set -euo pipefail

engine_so() {
  local dir
  dir="$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')"
  if [[ -f "$dir/gost.so" ]]; then echo "$dir/gost.so"; return; fi
  echo "demo-qes: the GOST engine is missing ($dir/gost.so): apt-get install libengine-gost-openssl" >&2
  exit 1
}

write_config() {  # dir
  local dir="$1"
  mkdir -p "$dir"
  cat >"$dir/openssl.cnf" <<EOF
openssl_conf = openssl_def
[openssl_def]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
dynamic_path = $(engine_so)
default_algorithms = ALL

[req]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes
[req_dn]

[ca]
default_ca = demo_ca
[demo_ca]
dir = .
database = index.txt
serial = serial
crlnumber = crlnumber
new_certs_dir = issued
certificate = ca.pem
private_key = ca.key
default_md = md_gost12_256
default_crl_days = 3650
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied

[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[person_ext]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[encipher_ext]
basicConstraints = CA:false
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# The subject of a qualified certificate of a person: names, SNILS and INN (as
# the Russian rules for qualified certificates require).
person_subject() {  # surname given snils inn
  local dn="/C=RU/ST=59 Пермский край/L=Пермь/SN=$1/GN=$2/CN=$1 $2"
  [[ -n "$3" ]] && dn+="/SNILS=$3"
  [[ -n "$4" ]] && dn+="/INN=$4"
  printf '%s' "$dn"
}

new_key() {  # kind out
  case "$1" in
    gost) openssl genpkey -algorithm gost2012_256 -pkeyopt paramset:A -out "$2" ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" 2>/dev/null ;;
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" ;;
  esac
}

new_ca() {  # dir name subject
  local dir="$1"
  mkdir -p "$dir/issued"
  : >"$dir/index.txt"
  echo 1000 >"$dir/serial"
  echo 1000 >"$dir/crlnumber"
  new_key gost "$dir/ca.key"
  (cd "$dir" && openssl req -new -x509 -utf8 -key ca.key -subj "$2" -days 3650 -md_gost12_256 \
    -extensions ca_ext -out ca.pem)
}

issue() {  # ca_dir out_dir name key_kind subject ext [startdate enddate]
  local ca="$1" out="$2" name="$3"
  new_key "$4" "$out/$name.key"
  openssl req -new -utf8 -key "$out/$name.key" -subj "$5" -out "$out/$name.csr"
  local dates=(-days 730)
  [[ $# -ge 8 ]] && dates=(-startdate "$7" -enddate "$8")
  (cd "$ca" && openssl ca -batch -utf8 -notext -preserveDN -extensions "$6" "${dates[@]}" \
    -in "$out/$name.csr" -out "$out/$name.pem" 2>"$out/$name.log") || { cat "$out/$name.log" >&2; exit 1; }
  rm -f "$out/$name.log"
  rm -f "$out/$name.csr"
}

cmd_issue() {
  local dir="$1"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  write_config "$dir"
  export OPENSSL_CONF="$dir/openssl.cnf"
  new_ca "$dir" "/C=RU/O=uslugi demo/CN=Демонстрационный удостоверяющий центр uslugi"
  local anna
  anna="$(person_subject "Смирнова" "Анна Сергеевна" 08839132503 590600644706)"
  issue "$dir" "$dir" person gost "$anna" person_ext
  issue "$dir" "$dir" revoked gost "$anna" person_ext
  issue "$dir" "$dir" expired gost "$anna" person_ext 20200101000000Z 20210101000000Z
  issue "$dir" "$dir" nosnils gost "$(person_subject "Смирнова" "Анна Сергеевна" "" 590600644706)" person_ext
  issue "$dir" "$dir" other gost "$(person_subject "Кузнецов" "Пётр Алексеевич" 14155819863 590232784980)" person_ext
  issue "$dir" "$dir" wronginn gost "$(person_subject "Смирнова" "Анна Сергеевна" 08839132503 590232784980)" person_ext
  issue "$dir" "$dir" nokeyusage gost "$anna" encipher_ext
  issue "$dir" "$dir" rsa rsa "$anna" person_ext
  issue "$dir" "$dir" ec ec "$anna" person_ext
  (cd "$dir" && openssl ca -batch -revoke revoked.pem -crl_reason keyCompromise 2>/dev/null &&
    openssl ca -batch -gencrl -out crl.pem 2>/dev/null)

  # A CA the portal does not trust, issuing the same person's certificate.
  local rogue="$dir/untrusted-ca"
  write_config "$rogue"
  new_ca "$rogue" "/C=RU/O=not trusted/CN=Посторонний удостоверяющий центр"
  issue "$rogue" "$dir" untrusted gost "$anna" person_ext

  mkdir -p "$dir/trust"
  cp "$dir/ca.pem" "$dir/trust/ca.pem"
  cp "$dir/crl.pem" "$dir/trust/crl.pem"
  echo "demo-qes: CA, certificates and CRL in $dir (trust: $dir/trust)"
}

cmd_sign() {  # dir name challenge out [der|pem]
  local dir="$1" name="$2" form="${5:-der}"
  [[ -f "$dir/openssl.cnf" ]] || write_config "$dir"
  export OPENSSL_CONF="$dir/openssl.cnf"
  local md=()
  # GOST keys hash with GOST R 34.11-2012; the others with SHA-256.
  if openssl x509 -in "$dir/$name.pem" -noout -text | grep -q "Public Key Algorithm: GOST"; then md=(-md md_gost12_256); fi
  openssl cms -sign -binary -in "$3" -signer "$dir/$name.pem" -inkey "$dir/$name.key" "${md[@]}" \
    -outform "${form^^}" -out "$4"
}

case "${1:-}" in
  issue) [[ $# -eq 2 ]] || { echo "usage: $0 issue DIR" >&2; exit 2; }; cmd_issue "$2" ;;
  sign) [[ $# -ge 5 ]] || { echo "usage: $0 sign DIR NAME CHALLENGE OUT [der|pem]" >&2; exit 2; }; cmd_sign "${@:2}" ;;
  config) [[ $# -eq 2 ]] || { echo "usage: $0 config DIR" >&2; exit 2; }; write_config "$2" ;;
  *) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
