package io.mailflow.organization;

/**
 * MailContact - someone outside the organization listed in its address book (Exchange
 * {@code New-MailContact}): mail to its primary SMTP address is redirected to its external address.
 *
 * @param primarySmtpAddress the address in an accepted domain that people and groups use
 * @param externalEmailAddress where mail is delivered (Exchange: ExternalEmailAddress, the target address)
 */
public record MailContact(String name, String primarySmtpAddress, String externalEmailAddress)
    implements TargetAddressRecipient {}
