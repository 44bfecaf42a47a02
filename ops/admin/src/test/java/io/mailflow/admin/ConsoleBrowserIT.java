package io.mailflow.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mailflow.delivery.agent.DeliveryStage;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Administrator;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.organization.PasswordHash;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser: Debian's chromium, headless, driven by Selenium through the system's
 * chromedriver, against the admin server on the embedded broker. Logs in through the form (after a wrong
 * password), sees a queue delivery reported, is refused a POST without the CSRF token (nothing written), acts on
 * the queue through the page (token sent, control record written), logs out. Screenshots go to
 * target/console-screenshots/ for a person to look at. Skips without chromium on a developer's machine; fails
 * on CI (environment variable CI set), where ops/ci/install-test-peers.sh installs it.
 */
class ConsoleBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  private static final String PASSWORD = "correct horse";
  private static final Duration WAIT = Duration.ofSeconds(30);
  /**
   * Selenium warns that it has no DevTools (CDP) classes for this chromium's version; the test uses WebDriver only.
   * Held in a field: java.util.logging keeps loggers weakly, and a collected one would forget its level.
   */
  private static final java.util.logging.Logger CDP_LOG = java.util.logging.Logger.getLogger(
      "org.openqa.selenium.devtools.CdpVersionFinder");

  @TempDir static Path profile;
  private static Vertx vertx;
  private static String bootstrap;
  private static AdminServer server;
  private static String base;
  private static ChromeDriverService service;
  private static WebDriver driver;

  @BeforeAll
  static void start() throws Exception {
    requireThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "chromium and chromium-driver are not installed (ops/ci/install-test-peers.sh installs them)");
    CDP_LOG.setLevel(java.util.logging.Level.OFF);
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    vertx = Vertx.vertx();
    String hash = PasswordHash.create(PASSWORD.toCharArray(), PasswordHash.MIN_ITERATIONS).encoded();
    server = AdminServer.start(vertx, AdminServerOptions.loopback(0).withServerName("MBX1"),
            List.of(new Administrator("alice", hash, Administrator.Role.OrganizationManagement),
                new Administrator("viewer", hash, Administrator.Role.ViewOnlyOrganizationManagement)),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), bootstrap)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = server.url();
    Files.createDirectories(SCREENSHOTS);
    // the system's chromedriver, named: Selenium Manager then neither looks for nor downloads a driver
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    // --no-sandbox: CI containers run as root, where chromium's sandbox refuses to start; the page is our own
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--user-data-dir=" + profile.resolve("chromium"), "--window-size=1400,1000", "--lang=en-US");
    // the browser's console, to see that the page breaks none of its own Content-Security-Policy
    options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(WAIT);
  }

  @AfterAll
  static void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Skips without {@code present} on a developer's machine; fails on CI, as the edge's real-client tests do. */
  static void requireThat(boolean present, String why) {
    if (present) {
      return;
    }
    String ci = System.getenv("CI");
    if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
      fail(why + ", and CI is set: the browser test must run on CI");
    }
    Assumptions.abort(why);
  }

  @BeforeEach
  void loggedOut() {
    driver.get(base + "login");
    driver.manage().deleteAllCookies();
  }

  private static WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(driver, WAIT);
    wait.ignoring(StaleElementReferenceException.class); // the queues table is rebuilt every 5 s
    return wait;
  }

  private static String textOf(String css) {
    return waiting().until(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0).getText();
    });
  }

  private static void waitForText(String css, String wanted) {
    waiting().withMessage(() -> "got " + css + " = '" + safeText(css) + "', want it to contain '" + wanted + "'")
        .until(d -> safeText(css).contains(wanted));
  }

  private static String safeText(String css) {
    try {
      List<WebElement> found = driver.findElements(By.cssSelector(css));
      return found.isEmpty() ? "" : found.get(0).getText();
    } catch (StaleElementReferenceException e) {
      return "";
    }
  }

  private static void click(String css) {
    waiting().until(d -> {
      WebElement element = d.findElement(By.cssSelector(css));
      if (!element.isDisplayed() || !element.isEnabled()) {
        return false;
      }
      element.click();
      return true;
    });
  }

  private static void logIn(String name, String password) {
    waiting().until(d -> d.getCurrentUrl().endsWith("/login") && !d.findElements(By.id("login-name")).isEmpty());
    driver.findElement(By.id("login-name")).clear();
    driver.findElement(By.id("login-name")).sendKeys(name);
    driver.findElement(By.id("login-password")).sendKeys(password);
    driver.findElement(By.id("login-submit")).click();
  }

  static void screenshot(String name) throws IOException {
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  /** The status and error code of a POST the page's own script makes with the session cookie. */
  private static String postFromThePage(String path, String csrfToken) {
    Object answer = ((JavascriptExecutor) driver).executeAsyncScript("""
        const [path, token, done] = arguments;
        const headers = token ? {'X-CSRF-Token': token} : {};
        fetch(path, {method: 'POST', credentials: 'same-origin', headers})
          .then(r => r.json().then(b => done(r.status + ' ' + (b.error || b.state))))
          .catch(e => done('failed ' + e));
        """, path, csrfToken);
    return String.valueOf(answer);
  }

  private static String csrfTokenOfThePage() {
    return String.valueOf(((JavascriptExecutor) driver).executeAsyncScript("""
        const done = arguments[0];
        fetch('/api/v1/session', {credentials: 'same-origin'}).then(r => r.json()).then(s => done(s.csrfToken));
        """));
  }

  private static String reportedQueue(String key, int count) throws Exception {
    TrackingEvent event = TrackingEvent.newBuilder().setDateTime(Instant.now()).setServerHostname("MBX1")
        .setSource("QUEUE").setEventId("QUEUESTATE").setNetworkMessageId("")
        .setQueue(QueueState.newBuilder().setIdentity(key).setDeliveryType("SmartHostConnectorDelivery")
            .setNextHopDomain("dead.test").setStatus("Retry").setMessageCount(count)
            .setLastError("421 4.4.1 Connection timed out").build())
        .build();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "console-browser-it")) {
      publisher.send(Topics.TRACKING, key, event).get(10, TimeUnit.SECONDS);
    }
    // the count is the copies queued (no delivery stage runs here: they wait unread), not what QUEUESTATE said
    for (int i = 0; i < count; i++) {
      DeliveryItem copy = QueuedCopies.item(key, "iid-" + UUID.randomUUID(), "sender@fabrikam.test", Instant.now(), 0,
          "x@dead.test");
      copy.getNextHop().setNextHopDomain("dead.test");
      QueuedCopies.write(bootstrap, Topics.DELIVERY, key, copy);
    }
    return key;
  }

  private static ControlRecord setting(ControlKind kind, String target) {
    try (ControlView view = ControlView.start(bootstrap, "console-browser-it", Duration.ofSeconds(15))) {
      return view.get(kind, target).orElse(null);
    }
  }

  private static String queueRow(String key) {
    return "tr[data-testid='queue-row'][data-next-hop='" + key + "']";
  }

  @Test
  void logInSeeAQueueActWithTheCsrfTokenOnlyAndLogOut() throws Exception {
    String key = reportedQueue("SmartHostConnectorDelivery/dead.test/Dead " + UUID.randomUUID(), 2);

    driver.get(base);
    logIn("alice", "wrong password");
    waitForText("[data-testid='login-error']", "Wrong name or password.");
    screenshot("login-wrong-password.png");

    logIn("alice", PASSWORD);
    waitForText("#who-name", "alice");
    waitForText(queueRow(key) + " td[data-col='messageCount']", "2");
    assertEquals("Retry", textOf(queueRow(key) + " td[data-col='status']"));
    assertEquals("dead.test", textOf(queueRow(key) + " td[data-col='nextHopDomain']"));
    assertEquals("421 4.4.1 Connection timed out", textOf(queueRow(key) + " td[data-col='lastError']"));
    screenshot("queues.png");

    // the page's session cookie alone does not make an action: refused, nothing written
    String action = "/api/v1/queues/" + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    assertEquals("403 csrf_token_invalid", postFromThePage(action + "/suspend", null));
    assertEquals("403 csrf_token_invalid", postFromThePage(action + "/suspend", "stale-token"));
    assertNull(setting(ControlKind.QUEUE, key), "a refused action writes no control record");

    // through the page: its confirmation, then the POST with the session's token
    click(queueRow(key) + " button[data-testid='queue-suspend']");
    waitForText("[data-testid='confirm-text']", "Suspend queue");
    driver.findElement(By.id("confirm-reason")).sendKeys("browser test");
    screenshot("confirm.png");
    click("#confirm-ok");
    waitForText("#status", "Suspended");
    waitForText(queueRow(key) + " td[data-col='status']", "by alice");
    ControlRecord suspended = setting(ControlKind.QUEUE, key);
    assertEquals("Suspended", suspended.getState());
    assertEquals("alice", suspended.getSetBy());
    assertEquals("browser test", suspended.getReason());
    screenshot("queues-suspended.png");

    // the token the session hands out is accepted from the page's script as well
    assertEquals("200 Active", postFromThePage(action + "/resume", csrfTokenOfThePage()));
    assertEquals("Active", setting(ControlKind.QUEUE, key).getState());

    List<String> violations = driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll()
        .stream().map(String::valueOf)
        .filter(line -> line.contains("Content Security Policy") || line.contains("Uncaught")).toList();
    assertEquals(List.of(), violations, "the console keeps its own policy (no inline script or style) and its script"
        + " throws nothing");

    click("#logout");
    waiting().until(d -> d.getCurrentUrl().endsWith("/login"));
    assertEquals("401", String.valueOf(((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[0]; fetch('/api/v1/session').then(r => done(String(r.status)));")));
    driver.get(base);
    waiting().until(d -> d.getCurrentUrl().endsWith("/login")); // the console sends a logged-out browser to log in
  }

  @Test
  void aViewOnlyAdministratorSeesTheQueuesWithoutActionButtons() throws Exception {
    String key = reportedQueue("SmartHostConnectorDelivery/dead.test/Dead " + UUID.randomUUID(), 7);
    driver.get(base);
    logIn("viewer", PASSWORD);
    waitForText("#who-role", "ViewOnlyOrganizationManagement");
    waitForText(queueRow(key) + " td[data-col='messageCount']", "7");
    assertTrue(driver.findElements(By.cssSelector(queueRow(key) + " button")).isEmpty(), "no action buttons");
    screenshot("queues-view-only.png");
  }

  /**
   * Issue 10's whole scenario, with a real delivery stage on a broker of its own (so its consumer group touches no
   * other test's copies): a copy for a smart host nobody listens on is tried, fails to connect and waits on a delay
   * topic for an hour; the console counts it in its queue, opens it, removes it with an NDR through the
   * confirmation; delivery releases the copy at once, fails it from ADMIN with Exchange's 4.3.2 and sends the
   * sender an NDR on mail.submission.v1; the queue's count drops to 0.
   */
  @Test
  void logInSeeTheQueueCountOpenAMessageRemoveItWithAnNdrAndSeeTheCountDrop() throws Exception {
    int deadPort;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = probe.getLocalPort(); // free now, and nothing listens on it once closed
    }
    Organization org = OrganizationLoader.parse("""
        serverName: MBX1
        siteName: Default-First-Site-Name
        kafka: { partitions: 2, replicationFactor: 1 }
        acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
        sendConnectors:
          - { name: Dead, addressSpaces: ["dead.test"], smartHosts: ["127.0.0.1:%d"] }
        """.formatted(deadPort), "console-browser-it.yaml");
    String key = "SmartHostConnectorDelivery/dead.test/Dead";
    String id = "iid-" + UUID.randomUUID();
    byte[] message = ("From: a@contoso.test\r\nTo: x@dead.test\r\nSubject: browser scenario\r\n\r\nhello\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    DeliveryItem item = DeliveryItem.newBuilder()
        .setEnvelope(Envelope.newBuilder().setNetworkMessageId(UUID.randomUUID().toString())
            .setReceivedAt(Instant.now()).setReceivingServer("MBX1").setReceiveConnector("Default Frontend MBX1")
            .setSessionId("08DC0001").setClientIp("127.0.0.1").setClientHostname("client.contoso.test")
            .setSender("a@contoso.test").setSubject("browser scenario").setSize(message.length).build())
        .setInternalMessageId(id)
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmartHostConnectorDelivery)
            .setNextHopDomain("dead.test").setConnector("Dead").build())
        .setRecipients(List.of(ResolvedRecipient.newBuilder().setAddress("x@dead.test")
            .setOriginalAddress("x@dead.test").setType(RecipientType.EXTERNAL).build()))
        .setBody(new InlineBody(ByteBuffer.wrap(message))).build();

    try (EmbeddedKafka kafka = EmbeddedKafka.start(profile.resolve("scenario-kafka"), 0)) {
      String own = kafka.bootstrapServers();
      TopicProvisioner.ensureTopics(own, 2, (short) 1, Duration.ofSeconds(30));
      // every retry waits an hour: only the admin's removal can move the copy before the test ends
      DeliveryStage delivery = DeliveryStage.start(vertx, own, org, profile.resolve("scenario-store"),
          DeliveryStage.Options.defaults().withRetrySchedule(new RetrySchedule(4, Duration.ofHours(1), 6,
              Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(4), Duration.ofDays(2))));
      AdminServer admin = AdminServer.start(vertx, AdminServerOptions.loopback(0).withServerName("MBX1"),
              List.of(new Administrator("alice", PasswordHash.create(PASSWORD.toCharArray(),
                  PasswordHash.MIN_ITERATIONS).encoded(), Administrator.Role.OrganizationManagement)),
              new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), own)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      try (TopicPublisher publisher = TopicPublisher.create(own, "console-browser-it")) {
        publisher.send(Topics.DELIVERY, key, item).get(10, TimeUnit.SECONDS);

        driver.get(admin.url() + "login");
        driver.manage().deleteAllCookies();
        driver.get(admin.url());
        logIn("alice", PASSWORD);
        // tried once (nothing listens), deferred to a delay topic for an hour: still one queued copy
        waitForText(queueRow(key) + " td[data-col='status']", "Retry");
        waitForText(queueRow(key) + " td[data-col='messageCount']", "1");
        screenshot("queue-with-a-waiting-message.png");
        click(queueRow(key) + " a[data-testid='queue-messages']");
        String row = "tr[data-testid='message-row'][data-message-id='" + id + "']";
        waitForText(row + " td[data-col='subject']", "browser scenario");
        click(row + " a[data-testid='message-link']");
        waitForText("#message-id", id);
        waitForText("#message-recipients tbody", "x@dead.test");
        screenshot("message.png");

        click("button[data-testid='message-remove-ndr']");
        waitForText("[data-testid='confirm-text']", "non-delivery report");
        click("#confirm-ok");
        ControlRecord removed = await().atMost(Duration.ofSeconds(30)).until(() -> {
          try (ControlView view = ControlView.start(own, "console-browser-it", Duration.ofSeconds(15))) {
            return view.get(ControlKind.MESSAGE, id).orElse(null);
          }
        }, r -> r != null);
        assertEquals("RemovedWithNDR", removed.getState());
        assertEquals("alice", removed.getSetBy());

        click("#nav-queues");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals("0",
            safeText(queueRow(key) + " td[data-col='messageCount']"), "the count after the removal"));
        screenshot("queues-after-remove.png");
        // delivery applied it: the sender's NDR is on the submission queue, long before the copy's hour is up
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(ndrTo(own, "a@contoso.test"),
            "an NDR to a@contoso.test on " + Topics.SUBMISSION.name()));
      } finally {
        admin.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        delivery.close();
      }
    }
    assertTrue(Files.size(SCREENSHOTS.resolve("message.png")) > 0);
  }

  /** Whether mail.submission.v1 holds a report from {@code <>} to {@code sender}. */
  private static boolean ndrTo(String bootstrap, String sender) {
    try (TopicReader<SubmittedMessage> reader = TopicReader.fromBeginning(bootstrap, Topics.SUBMISSION)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!reader.finished() && System.nanoTime() < deadline) {
        for (TopicReader.Entry<SubmittedMessage> e : reader.poll(Duration.ofMillis(200))) {
          if (e.value() != null && e.value().getEnvelope().getSender().isEmpty()
              && e.value().getRecipients().stream().anyMatch(r -> sender.equals(r.getAddress()))) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
