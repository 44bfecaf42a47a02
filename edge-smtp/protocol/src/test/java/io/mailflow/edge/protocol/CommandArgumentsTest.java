package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.BodyType;
import io.mailflow.smtp.Notify;
import io.mailflow.smtp.Ret;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The MAIL/RCPT argument parser on its own. */
class CommandArgumentsTest {

  @Test
  void plainSender() throws Exception {
    assertEquals(MailFrom.of("a@b.example"), CommandArguments.parseMailFrom("FROM:<a@b.example>", true));
  }

  @Test
  void spaceAfterColonAndLowerCaseKeywordAreTolerated() throws Exception {
    assertEquals("a@b.example", CommandArguments.parseMailFrom("from: <a@b.example>", true).reversePath());
  }

  @Test
  void senderWithoutBracketsIsTolerated() throws Exception {
    assertEquals("a@b.example", CommandArguments.parseMailFrom("FROM:a@b.example", true).reversePath());
  }

  @Test
  void sourceRouteIsDropped() throws Exception {
    assertEquals("c@d.example",
        CommandArguments.parseRcptTo("TO:<@a.example,@b.example:c@d.example>", true, false).address());
  }

  @Test
  void quotedLocalPartMayContainSpacesAndBrackets() throws Exception {
    assertEquals("\"john >doe\"@b.example",
        CommandArguments.parseMailFrom("FROM:<\"john >doe\"@b.example> SIZE=5", true).reversePath());
  }

  @Test
  void addressLiteralDomains() throws Exception {
    assertEquals("a@[192.0.2.1]", CommandArguments.parseRcptTo("TO:<a@[192.0.2.1]>", true, false).address());
    assertEquals("a@[IPv6:2001:db8::1]",
        CommandArguments.parseRcptTo("TO:<a@[IPv6:2001:db8::1]>", true, false).address());
  }

  @ParameterizedTest
  @ValueSource(strings = {"FROM:<a>", "FROM:<@b.example>", "FROM:<a@>", "FROM:<a..b@c.example>",
      "FROM:<a@b..example>", "FROM:<a@-b.example>", "FROM:<a b@c.example>", "FROM:<a@b.example",
      "FROM:<a@[300.1.1.1]>", "FROM:", "FROM:<a@b_c.example>"})
  void malformedSendersAreInvalidAddress(String argument) {
    SmtpSyntaxException e = assertThrows(SmtpSyntaxException.class,
        () -> CommandArguments.parseMailFrom(argument, true));
    assertEquals(Replies.INVALID_SENDER_ADDRESS, e.reply());
  }

  @ParameterizedTest
  @ValueSource(strings = {"FROM:<a@b.example> SIZE=", "FROM:<a@b.example> SIZE=12a", "FROM:<a@b.example> BODY=9BIT",
      "FROM:<a@b.example> RET=ALL", "FROM:<a@b.example> SMTPUTF8=yes", "FROM:<a@b.example> ENVID=a=b",
      "FROM:<a@b.example> SIZE=1 SIZE=2", "FROM:<a@b.example>SIZE=1", "FROM <a@b.example>",
      "FROM:<a@b.example> AUTH=<>"})
  void malformedParametersAreInvalidArguments(String argument) {
    SmtpSyntaxException e = assertThrows(SmtpSyntaxException.class,
        () -> CommandArguments.parseMailFrom(argument, true));
    assertEquals(Replies.INVALID_ARGUMENTS, e.reply(), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"TO:<a@b.example> NOTIFY=NEVER,SUCCESS", "TO:<a@b.example> NOTIFY=SOMETIMES",
      "TO:<a@b.example> NOTIFY=", "TO:<a@b.example> ORCPT=rfc822", "TO:<a@b.example> ORCPT=;x",
      "TO:<a@b.example> ORCPT=rfc822;a+4", "TO:<a@b.example> FOO"})
  void malformedRecipientParametersAreInvalidArguments(String argument) {
    SmtpSyntaxException e = assertThrows(SmtpSyntaxException.class,
        () -> CommandArguments.parseRcptTo(argument, true, false));
    assertEquals(Replies.INVALID_ARGUMENTS, e.reply(), e.getMessage());
  }

  @Test
  void notifyNeverStandsAlone() throws Exception {
    assertEquals(Set.of(Notify.NEVER),
        CommandArguments.parseRcptTo("TO:<a@b.example> notify=never", true, false).notifyOn());
  }

  @Test
  void keywordsAreCaseInsensitive() throws Exception {
    MailFrom from = CommandArguments.parseMailFrom("FROM:<a@b.example> size=7 body=8bitmime ret=full", true);
    assertEquals(7, from.declaredSize());
    assertEquals(BodyType.EIGHT_BIT_MIME, from.bodyType());
    assertEquals(Ret.FULL, from.ret());
  }

  @Test
  void xtextRules() {
    assertTrue(CommandArguments.isXtext("abc+2B+3Ddef"));
    assertFalse(CommandArguments.isXtext("a+2b"));
    assertFalse(CommandArguments.isXtext("a b"));
    assertFalse(CommandArguments.isXtext("a=b"));
  }

  @Test
  void overlongLocalPartIsInvalid() {
    assertThrows(SmtpSyntaxException.class,
        () -> CommandArguments.parseMailFrom("FROM:<" + "a".repeat(65) + "@b.example>", true));
  }

  @Test
  void domainOfIsLowerCase() {
    assertEquals("contoso.com", RcptTo.of("Bob@Contoso.COM").domain());
    assertEquals("", RcptTo.of("postmaster").domain());
  }
}
