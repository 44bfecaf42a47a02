"""smtplib_cases - Python's smtplib against the edge, one case per run (PythonSmtplibIT drives them).

    python3 smtplib_cases.py <case> <host> <port> [arguments...]

Each case prints the replies it checks (see smtpcheck) and exits 0; any unexpected error is a
traceback and a non-zero exit.
"""

import email.message
import smtplib
import ssl

import smtpcheck as c

ANONYMOUS = "carol@fabrikam.example"


def ehlo(host, port, cafile):
    """EHLO keywords before and after STARTTLS (the certificate verified), then QUIT."""
    smtp = c.connect(host, port)
    c.start_tls(smtp, cafile)
    c.show("QUIT", smtp.quit())


def untrusted(host, port):
    """STARTTLS against the system's trust store, which does not know the test certificate."""
    smtp = c.connect(host, port)
    smtp.ehlo()
    try:
        smtp.starttls(context=ssl.create_default_context())
        print("STARTTLS verified", flush=True)
    except ssl.SSLCertVerificationError as error:
        print("STARTTLS refused", error.verify_message, flush=True)


def helo(host, port):
    """HELO only: no ESMTP, so sendmail() sends no parameters."""
    smtp = c.connect(host, port)
    c.show("HELO", smtp.helo())
    c.send("SEND", smtp, ANONYMOUS, ["bob@contoso.test"], c.message("helo", ANONYMOUS, "bob@contoso.test"))
    c.show("QUIT", smtp.quit())


def login(host, port, cafile, mechanism, user, password, sender, subject):
    """STARTTLS, AUTH with one mechanism through login(), then a message from sender."""
    smtp = c.connect(host, port)
    c.start_tls(smtp, cafile)
    try:
        c.login(smtp, mechanism, user, password)
    except smtplib.SMTPAuthenticationError as error:
        c.refused("AUTH", error)
        return
    c.send("SEND", smtp, sender, ["someone@fabrikam.example"], c.message(subject, sender, "someone@fabrikam.example"))
    c.show("QUIT", smtp.quit())


def anonymous(host, port, cafile):
    """STARTTLS but no AUTH on a connector for authenticated users only."""
    smtp = c.connect(host, port)
    c.start_tls(smtp, cafile)
    c.send("SEND", smtp, "alice@contoso.test", ["bob@contoso.test"],
           c.message("anonymous", "alice@contoso.test", "bob@contoso.test"))


def implicit(host, port, cafile, user, password):
    """SMTP_SSL on an implicit-TLS listener: EHLO keywords, AUTH PLAIN, a message."""
    smtp = c.connect_tls(host, port, cafile)
    smtp.ehlo()
    c.features("tls", smtp)
    c.login(smtp, "PLAIN", user, password)
    c.send("SEND", smtp, user, ["someone@fabrikam.example"], c.message("implicit", user, "someone@fabrikam.example"))
    c.show("QUIT", smtp.quit())


def relay(host, port):
    """Anonymous mail to a domain the organization does not accept."""
    smtp = c.connect(host, port)
    c.send("SEND", smtp, ANONYMOUS, ["someone@fabrikam.example"],
           c.message("relay", ANONYMOUS, "someone@fabrikam.example"))


def recipients(host, port, *addresses):
    """More recipients than the connector takes: sendmail() goes on with the accepted ones."""
    smtp = c.connect(host, port)
    c.send("SEND", smtp, ANONYMOUS, list(addresses), c.message("recipients", ANONYMOUS, addresses[0]))
    c.show("QUIT", smtp.quit())


def declared(host, port, size):
    """A message of `size` octets: sendmail() declares SIZE= itself when the server offers SIZE."""
    smtp = c.connect(host, port)
    c.send("SEND", smtp, ANONYMOUS, ["bob@contoso.test"],
           c.message("declared", ANONYMOUS, "bob@contoso.test", "x" * int(size)))
    c.show("NOOP", smtp.noop())


def oversized(host, port, size):
    """A message of `size` octets sent without SIZE=: refused at the end of DATA, the session goes on."""
    smtp = c.connect(host, port)
    smtp.ehlo()
    c.show("MAIL", smtp.mail(ANONYMOUS))
    c.show("RCPT", smtp.rcpt("bob@contoso.test"))
    body = "\r\n".join(["y" * 70] * (int(size) // 72 + 1))
    c.show("DATA", smtp.data(c.message("oversized", ANONYMOUS, "bob@contoso.test", body)))
    c.show("NOOP", smtp.noop())
    c.show("QUIT", smtp.quit())


def eightbit(host, port):
    """BODY=8BITMIME with a UTF-8 body, sent as bytes."""
    smtp = c.connect(host, port)
    body = "Grüße aus Köln – 8 bits".encode("utf-8")
    msg = c.message("eightbit", ANONYMOUS, "bob@contoso.test").replace(b"sent by smtplib", body)
    msg = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n" + msg
    c.send("SEND", smtp, ANONYMOUS, ["bob@contoso.test"], msg, ["BODY=8BITMIME"])
    c.show("QUIT", smtp.quit())


def utf8(host, port):
    """send_message() with UTF-8 addresses: smtplib adds SMTPUTF8 and BODY=8BITMIME itself.

    The addresses are here, not arguments: under a C locale the JVM cannot pass them in argv."""
    smtp = c.connect(host, port)
    msg = email.message.EmailMessage()
    msg["From"] = "zoë@fabrikam.example"
    msg["To"] = "jöran@relay.test"
    msg["Subject"] = "Grüße"
    msg.set_content("Hallo Jöran")
    try:
        smtp.send_message(msg)
        print("SEND sent", flush=True)
    except smtplib.SMTPException as error:
        c.refused("SEND", error)
    c.show("QUIT", smtp.quit())


def dsn(host, port):
    """RFC 3461: RET and ENVID on MAIL, NOTIFY and ORCPT on RCPT."""
    smtp = c.connect(host, port)
    c.send("SEND", smtp, ANONYMOUS, ["bob@contoso.test"], c.message("dsn", ANONYMOUS, "bob@contoso.test"),
           ["RET=HDRS", "ENVID=QQ314159"], ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;bob@contoso.test"])
    c.show("QUIT", smtp.quit())


def bdat(host, port):
    """CHUNKING (RFC 3030): smtplib has no BDAT helper, so putcmd() + send() + getreply()."""
    smtp = c.connect(host, port)
    smtp.ehlo()
    c.show("MAIL", smtp.mail(ANONYMOUS, ["BODY=BINARYMIME"]))
    c.show("RCPT", smtp.rcpt("bob@contoso.test"))
    content = c.message("bdat", ANONYMOUS, "bob@contoso.test", "first line\r\n.leading dot\r\nno dot-stuffing")
    cut = len(content) // 2
    for part, last in ((content[:cut], ""), (content[cut:], " LAST")):
        smtp.putcmd("BDAT", "%d%s" % (len(part), last))
        smtp.send(part)
        c.show("BDAT", smtp.getreply())
    c.show("QUIT", smtp.quit())


def commands(host, port):
    """VRFY, NOOP, RSET, HELP and QUIT."""
    smtp = c.connect(host, port)
    smtp.ehlo()
    c.show("VRFY", smtp.verify("bob@contoso.test"))
    c.show("NOOP", smtp.noop())
    c.show("MAIL", smtp.mail(ANONYMOUS))
    c.show("RSET", smtp.rset())
    c.show("RCPT", smtp.rcpt("bob@contoso.test"))  # RSET dropped the transaction
    print("HELP", c.text(smtp.help()), flush=True)
    c.show("QUIT", smtp.quit())


def rate(host, port, count):
    """`count` messages on one connection; the one over the rate limit ends the session."""
    smtp = c.connect(host, port)
    for n in range(int(count)):
        c.send("SEND%d" % n, smtp, ANONYMOUS, ["bob@contoso.test"], c.message("rate", ANONYMOUS, "bob@contoso.test"))
        if smtp.sock is None:
            print("CLOSED", flush=True)  # smtplib closes after a 421
            return


if __name__ == "__main__":
    c.main({
        "ehlo": ehlo, "untrusted": untrusted, "helo": helo, "login": login, "anonymous": anonymous,
        "implicit": implicit, "relay": relay, "recipients": recipients, "declared": declared,
        "oversized": oversized, "eightbit": eightbit, "utf8": utf8, "dsn": dsn, "bdat": bdat,
        "commands": commands, "rate": rate,
    })
