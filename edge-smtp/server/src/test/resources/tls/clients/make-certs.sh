#!/bin/sh
# Regenerates the client-certificate fixtures of ServerAuthenticationIT (run from this directory).
# EC P-256 keys, valid 100 years; the CA keys are not kept (new fixtures need a new CA).
set -e
days=36500
ca() { # name subject
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1-key.tmp" -out "$1.pem" \
    -days $days -subj "$2" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
}
leaf() { # name dns ca
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2"
  printf 'subjectAltName=DNS:%s\nextendedKeyUsage=clientAuth,serverAuth\n' "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3-key.tmp" -CAcreateserial -days $days -out "$1.pem" \
    -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}
ca ca "/CN=mailflow test CA"
ca rogue-ca "/CN=rogue CA"
leaf ex02 ex02.contoso.test ca             # a server of the organization, trusted CA
leaf partner mail.fabrikam.test ca         # a host in the domain-secure partner domain fabrikam.test
leaf stranger mail.stranger.test ca        # trusted CA, but names nobody the organization knows
leaf rogue-ex02 ex02.contoso.test rogue-ca # claims to be EX02, signed by an untrusted CA
rm -f ./*-key.tmp ./*.srl
