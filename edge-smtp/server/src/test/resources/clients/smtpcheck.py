"""smtpcheck - shared helpers for the smtplib client cases: connecting, TLS, printing replies.

Python 3 standard library only (smtplib, ssl, email): the client every fresh machine has.
Every reply a case wants checked is printed as one line "<label> <code> <text>" (lines of a
multi-line reply joined by " | "), so the JUnit side asserts on exact Exchange texts. smtplib's
debug output (the dialogue, "send:"/"reply:") goes to stderr: the JUnit side shows it on failure.
"""

import smtplib
import ssl
import sys

TIMEOUT = 20  # seconds per socket operation; the JUnit side bounds the whole process


def text(message):
    """A reply's text as one line."""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return " | ".join(str(message).splitlines())


def show(label, reply):
    """Prints a (code, message) reply as '<label> <code> <text>'."""
    code, message = reply
    print(label, code, text(message), flush=True)


def refused(label, error):
    """Prints an smtplib refusal: one line per refused recipient, or the code and text of the reply."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        for address, (code, message) in sorted(error.recipients.items()):
            print(label, address, code, text(message), flush=True)
    elif isinstance(error, smtplib.SMTPResponseException):
        print(label, error.smtp_code, text(error.smtp_error), flush=True)
    else:
        print(label, type(error).__name__, text(str(error)), flush=True)


def features(label, smtp):
    """Prints each EHLO keyword smtplib understood as '<label> <KEYWORD> <parameters>'."""
    for keyword, params in smtp.esmtp_features.items():
        print(("%s %s %s" % (label, keyword.upper(), params.strip())).rstrip(), flush=True)


def verifying(cafile):
    """A TLS context that trusts the test certificate only and checks the host name (127.0.0.1 is in its SAN)."""
    context = ssl.create_default_context(cafile=cafile)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    return context


def connect(host, port):
    smtp = smtplib.SMTP(host, int(port), local_hostname="client.example", timeout=TIMEOUT)
    smtp.set_debuglevel(1)
    return smtp


def connect_tls(host, port, cafile):
    """Implicit TLS (RFC 8314): TLS from the first byte, the certificate verified."""
    smtp = smtplib.SMTP_SSL(host, int(port), local_hostname="client.example", timeout=TIMEOUT,
                            context=verifying(cafile))
    smtp.set_debuglevel(1)
    return smtp


def start_tls(smtp, cafile):
    """EHLO, STARTTLS with the certificate verified, EHLO again; prints both feature lists and the 220."""
    smtp.ehlo()
    features("plain", smtp)
    show("STARTTLS", smtp.starttls(context=verifying(cafile)))
    smtp.ehlo()
    features("tls", smtp)


def login(smtp, mechanism, user, password):
    """smtplib's own login(), limited to one mechanism (it would otherwise pick the first it prefers)."""
    smtp.esmtp_features["auth"] = mechanism
    show("AUTH", smtp.login(user, password))


def send(label, smtp, sender, recipients, message, mail_options=(), rcpt_options=()):
    """sendmail(); prints '<label> sent' and each recipient sendmail reports refused, or the refusal."""
    try:
        rejected = smtp.sendmail(sender, recipients, message, list(mail_options), list(rcpt_options))
        for address, (code, reply) in sorted(rejected.items()):
            print(label, "rejected", address, code, text(reply), flush=True)
        print(label, "sent", flush=True)
    except smtplib.SMTPException as error:
        refused(label, error)


def message(subject, sender, recipient, body="sent by smtplib"):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\n%s\r\n" % (sender, recipient, subject, body)).encode("ascii")


def main(cases):
    """python3 <script> <case> <host> <port> [arguments...]: runs the case; exit 0 unless it raised."""
    sys.stdout.reconfigure(line_buffering=True)
    if len(sys.argv) < 4 or sys.argv[1] not in cases:
        print("usage: %s <case> <host> <port> [arguments...]; cases: %s"
              % (sys.argv[0], " ".join(sorted(cases))), file=sys.stderr)
        sys.exit(2)
    cases[sys.argv[1]](*sys.argv[2:])
