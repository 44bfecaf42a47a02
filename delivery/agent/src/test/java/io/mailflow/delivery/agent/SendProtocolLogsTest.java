package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.SendProtocolLog;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.ProtocolEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which sessions are logged: Verbose send connectors, and the intra-organization connector when the node says so. */
class SendProtocolLogsTest {
  private static Organization org(String intraOrg) throws Exception {
    return OrganizationLoader.parse("""
        serverName: EX01
        acceptedDomains: [contoso.test]
        sendConnectors:
          - { name: Internet, addressSpaces: ["*"] }
          - { name: Partner, addressSpaces: [fabrikam.test], protocolLoggingLevel: Verbose }
        transportService: { intraOrgConnectorProtocolLoggingLevel: %s }
        """.formatted(intraOrg), "test.yaml");
  }

  private final List<ProtocolEvent> sink = new ArrayList<>();

  @Test
  void onlyVerboseConnectorsAreLoggedEachUnderItsOwnName() throws Exception {
    SendProtocolLogs logs = new SendProtocolLogs(org("None"), sink::add, Clock.systemUTC());
    assertSame(SendProtocolLog.NONE, logs.of("Internet"), "Exchange's default, None");
    assertSame(SendProtocolLog.NONE, logs.of("No such connector"));
    assertSame(SendProtocolLog.NONE, logs.of(SiteRelay.CONNECTOR_ID), "intra-organization: None by default");
    SendProtocolLog partner = logs.of("Partner");
    assertTrue(partner.enabled());
    assertEquals("Partner", partner.connectorId());
    assertSame(partner, logs.of("Partner"), "one log per connector: the client cache is keyed by it");
  }

  @Test
  void theIntraOrganizationConnectorFollowsTheTransportServiceSetting() throws Exception {
    SendProtocolLogs logs = new SendProtocolLogs(org("Verbose"), sink::add, Clock.systemUTC());
    assertEquals("Intra-Organization SMTP Send Connector", logs.of(SiteRelay.CONNECTOR_ID).connectorId());
    assertFalse(SendProtocolLogs.NONE.of("Partner").enabled(), "no sink: nothing is logged");
  }
}
