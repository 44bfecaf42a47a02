package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Administrator;
import io.mailflow.organization.PasswordHash;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.tracking.FederatedTrackingSearch;
import io.mailflow.tracking.TrackingIndex;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
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
 * The console's Message tracking page in a real browser (Debian's chromium through Selenium, as
 * {@link ConsoleBrowserIT}), against an admin server with a real TrackingIndex on the embedded broker: log in,
 * search by sender, see the message's rows, open its delivery report, see DELIVER on EX02 and Delivered for the
 * recipient. Skips without chromium on a developer's machine, fails on CI.
 */
class TrackingBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String PASSWORD = "correct horse";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String SENDER = "frank-" + RUN + "@contoso.test";
  private static final String BOB = "bob-" + RUN + "@contoso.test";

  @TempDir static Path profile;
  private static Vertx vertx;
  private static AdminServer server;
  private static ChromeDriverService service;
  private static WebDriver driver;

  @BeforeAll
  static void start() throws Exception {
    ConsoleBrowserIT.requireThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "chromium and chromium-driver are not installed (ops/ci/install-test-peers.sh installs them)");
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(120);
    Envelope env = Envelope.newBuilder().setNetworkMessageId("nmid-browser-" + RUN).setSender(SENDER)
        .setMessageIdHeader("<browser-" + RUN + "@contoso.test>").setSubject("<b>Hello</b> " + RUN).setSize(700)
        .setReceivedAt(t0).setReceivingServer("EX01").setSessionId("s1").setClientIp("127.0.0.1")
        .setReceiveConnector("Default Frontend EX01").setClientHostname("client.test").build();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "tracking-browser-it")) {
      for (TrackingEvent e : List.of(
          at("EX01", t0, 0).about(env, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of(BOB), List.of()).build(),
          at("EX01", t0, 1).about(env, TrackingSource.SMTP, TrackingEventId.SEND, List.of(BOB),
              List.of("250 2.6.0 Queued mail for delivery")).build(),
          at("EX02", t0, 2).about(env, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of(BOB), List.of()).build(),
          at("EX02", t0, 3).about(env, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER, List.of(BOB),
              List.of("250 2.0.0 OK")).build())) {
        publisher.track(e).get(30, TimeUnit.SECONDS);
      }
    }
    FederatedTrackingSearch tracking = FederatedTrackingSearch.open(profile.resolve("tracking-index"),
        List.of(new FederatedTrackingSearch.Cluster("EX01 at " + bootstrap, bootstrap)),
        TrackingIndex.Options.defaults());
    assertTrue(tracking.awaitCaughtUp(Duration.ofSeconds(60)));
    vertx = Vertx.vertx();
    String hash = PasswordHash.create(PASSWORD.toCharArray(), PasswordHash.MIN_ITERATIONS).encoded();
    server = AdminServer.start(vertx, AdminServerOptions.loopback(0).withServerName("EX01"),
            List.of(new Administrator("viewer", hash, Administrator.Role.ViewOnlyOrganizationManagement)),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), bootstrap, tracking)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Files.createDirectories(ConsoleBrowserIT.SCREENSHOTS);
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--user-data-dir=" + profile.resolve("chromium"), "--window-size=1400,1000", "--lang=en-US");
    options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
    driver = new ChromeDriver(service, options);
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
      server.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static Tracking at(String server, Instant t0, long seconds) {
    return new Tracking(server, Clock.fixed(t0.plusSeconds(seconds), ZoneOffset.UTC));
  }

  private static WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(driver, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private static List<String> texts(String css) {
    try {
      return driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    } catch (StaleElementReferenceException e) {
      return List.of();
    }
  }

  private static void screenshot(String name) throws Exception {
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, ConsoleBrowserIT.SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void searchBySenderThenOpenTheDeliveryReport() throws Exception {
    driver.get(server.url() + "login");
    waiting().until(d -> !d.findElements(By.id("login-name")).isEmpty());
    driver.findElement(By.id("login-name")).sendKeys("viewer");
    driver.findElement(By.id("login-password")).sendKeys(PASSWORD);
    driver.findElement(By.id("login-submit")).click();
    waiting().until(d -> !d.getCurrentUrl().endsWith("/login") && d.findElement(By.id("nav-tracking")).isDisplayed());

    driver.findElement(By.id("nav-tracking")).click();
    waiting().until(d -> d.findElement(By.id("tracking-sender")).isDisplayed());
    driver.findElement(By.id("tracking-sender")).sendKeys(SENDER);
    driver.findElement(By.id("tracking-search")).click();
    waiting().withMessage(() -> "rows: " + texts("[data-testid=tracking-result]"))
        .until(d -> texts("[data-testid=tracking-result]").size() == 4);
    List<String> events = texts("[data-testid=tracking-result] td[data-col=event-id]");
    assertEquals(List.of("RECEIVE", "SEND", "RECEIVE", "DELIVER"), events);
    assertEquals(List.of("EX01", "EX01", "EX02", "EX02"), texts("[data-testid=tracking-result] td[data-col=server-hostname]"));
    assertEquals("<b>Hello</b> " + RUN, texts("[data-testid=tracking-result] td[data-col=message-subject]").get(0),
        "a subject is text, never markup");
    assertTrue(texts("#tracking-total").get(0).startsWith("4 events match"), texts("#tracking-total").toString());
    assertTrue(driver.getCurrentUrl().contains("#/tracking?sender="), "the search is in the address: "
        + driver.getCurrentUrl());
    screenshot("tracking-search.png");

    driver.findElements(By.cssSelector("[data-testid=report-link]")).get(0).click();
    waiting().withMessage(() -> "report: " + texts("#report-recipients"))
        .until(d -> !texts("[data-testid=report-status]").isEmpty());
    assertEquals(List.of("Delivered"), texts("[data-testid=report-status]"));
    assertTrue(texts("[data-testid=report-recipient]").get(0).startsWith(BOB), texts("[data-testid=report-recipient]")
        .toString());
    List<String> timeline = texts("[data-testid=report-timeline] [data-testid=report-event]");
    assertTrue(timeline.stream().anyMatch(l -> l.contains("EX02") && l.contains("DELIVER") && l.contains("250 2.0.0 OK")),
        "DELIVER on EX02 in " + timeline);
    assertEquals("EX01, EX02", texts("[data-testid=report-servers]").get(0));
    screenshot("tracking-report.png");

    List<String> violations = driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll()
        .stream().map(String::valueOf)
        .filter(line -> line.contains("Content Security Policy") || line.contains("Uncaught")).toList();
    assertEquals(List.of(), violations, "no CSP violation, nothing thrown");
  }
}
