package io.redtask.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator dashboard in a real browser: Debian's Chromium, headless, driven by Selenium through
 * Debian's chromedriver (nothing is downloaded: the driver and the browser are given explicitly, so
 * Selenium Manager never runs). The real war in an EAR at "/", as in {@link TasksRestIT}.
 *
 * <p>The page and the admin API need the {@code admin} role (HTTP Basic). The browser logs in the
 * way an operator's browser does after the login prompt: the credentials come with the first
 * navigation (user:password@host), and Chromium reuses them for the page's own API calls in the
 * same realm. The test's REST calls send the same credentials.
 *
 * <p>Leaves {@code target/dashboard.png} (and {@code target/dashboard-failure.png} plus the page's
 * HTML when it fails).
 */
@ExtendWith(ArquillianExtension.class)
class DashboardIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /**
     * A queue of this run only, which no worker of the test server takes tasks from (its workers
     * serve "default"): its depths stay exactly what the test put there.
     */
    private static final String QUEUE = "dashboard-" + Long.toString(System.nanoTime() & 0xffffffffL, 36);

    /** Another queue no worker serves, for a batch that stays running (QUEUE's depths are counted exactly). */
    private static final String BATCH_QUEUE = QUEUE + "-batch";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return ItSupport.withHandlers(
                Deployments.demoApplication("dashboard-it"),
                FailUntilFileHandler.class,
                FailUntilFileHandler.Payload.class);
    }

    @ArquillianResource
    URL base;

    /** The test server's admin (generated per build: src/it's pom, it-credentials). */
    private final ItSupport.Login admin = ItSupport.admin();

    private ItSupport.Client rest;
    private ChromeDriver browser;
    private Path profile;

    // ------------------------------------------------------------------ the test

    @Test
    void showsQueueDepthsAndPausesAndResumesAQueue() throws Exception {
        try {
            // The page is the admin's: without a login the server asks for one.
            assertEquals(401, page(null).statusCode(), "GET /dashboard/ without a login");
            HttpResponse<String> page = page(admin);
            assertEquals(200, page.statusCode(), "GET /dashboard/ as admin");
            assertTrue(page.body().contains("dashboard.js"), () -> "not the dashboard: " + page.body());

            // Five tasks that stay ready, and one scheduled an hour from now.
            for (int i = 0; i < 5; i++) {
                submit("{\"type\":\"noop\",\"payload\":{},\"queue\":\"" + QUEUE + "\"}");
            }
            submit("{\"type\":\"sleep\",\"payload\":{\"ms\":1},\"queue\":\"" + QUEUE + "\",\"delay\":\"PT1H\"}");
            // A task that dies at once in "default", where the workers are.
            String deadId = submit("{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}");
            await("task " + deadId + " to be dead")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> rest.getObject("api/tasks/" + deadId).getString("state", ""), "dead"::equals);

            browser.get(loginUrl("dashboard/"));
            WebDriverWait wait = new WebDriverWait(browser, TIMEOUT, Duration.ofMillis(100));
            wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));

            // The depths, as numbers on the queue's card.
            wait.until(ExpectedConditions.textToBe(field(QUEUE, "ready"), "5"));
            wait.until(ExpectedConditions.textToBe(field(QUEUE, "scheduled"), "1"));
            assertEquals("0", text(field(QUEUE, "running")));
            assertEquals("0", text(field(QUEUE, "dead")));
            // (data-value: the badge's text is upper-cased by the style sheet, and getText() shows that)
            assertEquals("active", browser.findElement(field(QUEUE, "state")).getAttribute("data-value"));
            // No server of the test takes tasks from this queue: the card warns; default is served.
            wait.until(ExpectedConditions.attributeToBe(card(QUEUE), "data-unserved", "true"));
            assertTrue(browser.findElement(field(QUEUE, "unserved")).isDisplayed(), "no 'no workers' badge");
            wait.until(ExpectedConditions.attributeToBe(card("default"), "data-unserved", "false"));

            // Live: a task submitted now shows up within a poll or two.
            submit("{\"type\":\"noop\",\"payload\":{},\"queue\":\"" + QUEUE + "\"}");
            wait.until(ExpectedConditions.textToBe(field(QUEUE, "ready"), "6"));

            // Pause: the card says so, and the API agrees.
            browser.findElement(action(QUEUE, "pause")).click();
            wait.until(ExpectedConditions.attributeToBe(card(QUEUE), "data-paused", "true"));
            wait.until(ExpectedConditions.attributeToBe(field(QUEUE, "state"), "data-value", "paused"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(action(QUEUE, "resume")));
            assertTrue(
                    queueFromApi(QUEUE).getBoolean("paused"),
                    "GET /api/queues: queue not paused after the page's pause");

            // The dead task of "default", listed with its error.
            browser.findElement(action("default", "dead")).click();
            wait.until(ExpectedConditions.attributeToBe(By.id("dead"), "data-queue", "default"));
            // The page redraws its tables every refresh: look the cell up afresh until it is read
            // between two redraws.
            By deadError = By.cssSelector("#dead-rows tr[data-task='" + deadId + "'] td.error");
            String error = wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> d.findElement(deadError).getText());
            assertFalse(error.isBlank(), "dead task without its error");

            // The servers list has this server, with its concurrency.
            String serverQueues = wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> d.findElement(By.cssSelector("#servers tr[data-server] [data-field='queues']"))
                            .getText());
            assertTrue(serverQueues.contains("default"), () -> "server row queues: " + serverQueues);

            assertNoErrorBanner();
            screenshot("dashboard.png");

            // Resume: the card and the API agree again.
            browser.findElement(action(QUEUE, "resume")).click();
            wait.until(ExpectedConditions.attributeToBe(card(QUEUE), "data-paused", "false"));
            wait.until(ExpectedConditions.attributeToBe(field(QUEUE, "state"), "data-value", "active"));
            assertFalse(
                    queueFromApi(QUEUE).getBoolean("paused"),
                    "GET /api/queues: queue still paused after the page's resume");
            assertNoErrorBanner();
        } catch (Throwable e) {
            failureEvidence();
            throw e;
        }
    }

    /**
     * The page's controls do what they say: Retry on a dead task's row and "Retry all" send dead
     * tasks back (they run again, with fresh attempts, once their cause is fixed), Purge (after
     * the page's confirmation) deletes them, and a server's concurrency is set from its row.
     */
    @Test
    void retriesPurgesAndSetsConcurrencyFromThePage() throws Exception {
        int concurrency = rest.getObject("api/servers/local").getInt("concurrency");
        try {
            Path fixedOne = ItSupport.absentFile("fixed");
            Path fixedAll = ItSupport.absentFile("fixed");
            String one = submit(failingUntil(fixedOne));
            List<String> more = List.of(submit(failingUntil(fixedAll)), submit(failingUntil(fixedAll)));
            for (String id : concat(one, more)) {
                awaitDead(id);
            }

            browser.get(loginUrl("dashboard/"));
            WebDriverWait wait = new WebDriverWait(browser, TIMEOUT, Duration.ofMillis(100));
            wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(action("default", "dead")))
                    .click();
            wait.until(ExpectedConditions.attributeToBe(By.id("dead"), "data-queue", "default"));

            // Retry one task from its row, once its cause is fixed: it runs again and succeeds.
            Files.createFile(fixedOne);
            wait.until(ExpectedConditions.elementToBeClickable(deadRow(one, "[data-action='retry']")))
                    .click();
            JsonObject retried = awaitState(one, "succeeded");
            assertEquals(1, retried.getInt("attempts"), () -> "fresh attempts: " + retried);
            wait.until(ExpectedConditions.invisibilityOfElementLocated(deadRow(one, "")));
            assertNoErrorBanner();

            // Retry all of the queue's dead tasks.
            Files.createFile(fixedAll);
            wait.until(ExpectedConditions.visibilityOfElementLocated(deadRow(more.get(0), "")));
            wait.until(ExpectedConditions.elementToBeClickable(By.id("dead-retry-all")))
                    .click();
            for (String id : more) {
                assertEquals(1, awaitState(id, "succeeded").getInt("attempts"), "fresh attempts for " + id);
            }
            assertNoErrorBanner();

            // Purge: the page asks first; once confirmed, the dead tasks are gone.
            String doomed = submit("{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}");
            awaitDead(doomed);
            wait.until(ExpectedConditions.visibilityOfElementLocated(deadRow(doomed, "")));
            wait.until(ExpectedConditions.elementToBeClickable(By.id("dead-purge")))
                    .click();
            Alert confirm = wait.until(ExpectedConditions.alertIsPresent());
            assertTrue(confirm.getText().contains("default"), confirm::getText);
            confirm.accept();
            await("the purge")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> rest.get("api/tasks/" + doomed).statusCode() == 404);
            assertEquals(0, rest.getObject("api/queues/default").getInt("dead"));
            wait.until(ExpectedConditions.invisibilityOfElementLocated(deadRow(doomed, "")));
            assertNoErrorBanner();

            // This server's concurrency, from its row.
            String nodeId = rest.getObject("api/servers/local").getString("nodeId");
            int wanted = concurrency == 3 ? 4 : 3;
            WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector("#servers tr[data-server='" + nodeId + "'] [data-field='concurrency-input']")));
            input.clear();
            input.sendKeys(String.valueOf(wanted));
            browser.findElement(
                            By.cssSelector("#servers tr[data-server='" + nodeId + "'] [data-action='set-concurrency']"))
                    .click();
            await("the concurrency set from the page")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> rest.getObject("api/servers/local").getInt("concurrency") == wanted);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(
                    By.id("banner-text"), "Concurrency of " + nodeId + " set to " + wanted));
            wait.until(ExpectedConditions.attributeToBe(
                    By.cssSelector("#servers tr[data-server='" + nodeId + "'] [data-field='concurrency-input']"),
                    "data-value",
                    String.valueOf(wanted)));
            screenshot("dashboard-controls.png");
        } catch (Throwable e) {
            failureEvidence();
            throw e;
        } finally {
            rest.put("api/servers/local/concurrency", "{\"concurrency\":" + concurrency + "}");
        }
    }

    /**
     * The Batches table: a batch still running (its tasks wait in a queue no worker serves) with
     * its pending count, and a done one with its counts.
     */
    @Test
    void showsBatchesRunningAndDone() throws Exception {
        try {
            String waiting = rest.object(
                            rest.post(
                                    "api/batches",
                                    "{\"tasks\":["
                                            + String.join(
                                                    ",",
                                                    java.util.Collections.nCopies(
                                                            3,
                                                            "{\"type\":\"noop\",\"payload\":{},\"queue\":\""
                                                                    + BATCH_QUEUE + "\"}"))
                                            + "]}"),
                            201)
                    .getString("id");
            String finished = rest.object(
                            rest.post(
                                    "api/batches",
                                    "{\"tasks\":[{\"type\":\"noop\",\"payload\":{}},{\"type\":\"noop\",\"payload\":{}}],"
                                            + "\"onComplete\":{\"type\":\"echo\"}}"),
                            201)
                    .getString("id");
            await("batch " + finished + " to be done")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> rest.getObject("api/batches/" + finished).getString("state"), "done"::equals);

            browser.get(loginUrl("dashboard/"));
            WebDriverWait wait = new WebDriverWait(browser, TIMEOUT, Duration.ofMillis(100));
            wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
            wait.until(ExpectedConditions.textToBe(batchCell(waiting, "state"), "running"));
            wait.until(ExpectedConditions.textToBe(batchCell(waiting, "pending"), "3"));
            wait.until(ExpectedConditions.textToBe(batchCell(finished, "state"), "done"));
            wait.until(ExpectedConditions.textToBe(batchCell(finished, "succeeded"), "2"));
            wait.until(ExpectedConditions.textToBe(batchCell(finished, "pending"), "0"));
            assertNoErrorBanner();
        } catch (Throwable e) {
            failureEvidence();
            throw e;
        }
    }

    private static By batchCell(String id, String field) {
        return By.cssSelector("#batch-rows tr[data-batch='" + id + "'] [data-field='" + field + "']");
    }

    private static By deadRow(String id, String inside) {
        return By.cssSelector("#dead-rows tr[data-task='" + id + "'] " + inside);
    }

    private static String failingUntil(Path file) {
        return "{\"type\":\"" + FailUntilFileHandler.TYPE + "\",\"payload\":{\"file\":\"" + file
                + "\"},\"maxAttempts\":1}";
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private void awaitDead(String id) {
        awaitState(id, "dead");
    }

    private JsonObject awaitState(String id, String state) {
        return await("task " + id + " to be " + state)
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> rest.getObject("api/tasks/" + id), t -> state.equals(t.getString("state", "")));
    }

    // ------------------------------------------------------------------ browser

    @BeforeEach
    void startBrowser() throws IOException {
        rest = new ItSupport.Client(Deployments.webRoot(base), admin);
        File chromium = executable("redtask.it.chromium", "/usr/bin/chromium");
        File chromedriver = executable("redtask.it.chromedriver", "/usr/bin/chromedriver");
        profile = Files.createTempDirectory("redtask-dashboard-it-chromium");
        // Evidence of an earlier failed run would mislead.
        Files.deleteIfExists(target().resolve("dashboard-failure.png"));
        Files.deleteIfExists(target().resolve("dashboard-failure.html"));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        // What this machine needs: no sandbox as root, and no background connections (the network
        // is closed; Chromium would keep trying Google's hosts).
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver)
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() throws IOException {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (profile != null) {
                ItSupport.deleteTree(profile);
            }
        }
    }

    /** The browser and the driver come from Debian's chromium and chromium-driver (scripts/test installs them). */
    private static File executable(String property, String path) {
        File file = new File(System.getProperty(property, path));
        if (!file.canExecute()) {
            throw new IllegalStateException(file + " is missing: install Debian's chromium and chromium-driver "
                    + "(apt-get install -y chromium chromium-driver; scripts/test does it when run as root), "
                    + "or point -D" + property + "=... at it");
        }
        return file;
    }

    private static By card(String queue) {
        return By.cssSelector(".queue[data-queue='" + queue + "']");
    }

    private static By field(String queue, String name) {
        return By.cssSelector(".queue[data-queue='" + queue + "'] [data-field='" + name + "']");
    }

    private static By action(String queue, String name) {
        return By.cssSelector(".queue[data-queue='" + queue + "'] [data-action='" + name + "']");
    }

    private String text(By by) {
        return browser.findElement(by).getText();
    }

    private void assertNoErrorBanner() {
        WebElement banner = browser.findElement(By.id("banner"));
        assertFalse(
                banner.isDisplayed() && "error".equals(banner.getAttribute("data-kind")),
                () -> "the page shows an error: " + banner.getText());
    }

    private static Path target() {
        return Paths.get(System.getProperty("basedir", "."), "target");
    }

    private void screenshot(String name) throws IOException {
        Files.write(target().resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }

    private void failureEvidence() {
        if (browser == null) {
            return;
        }
        try {
            screenshot("dashboard-failure.png");
            Files.writeString(target().resolve("dashboard-failure.html"), browser.getPageSource());
        } catch (IOException | RuntimeException e) {
            System.err.println("DashboardIT: no failure screenshot: " + e);
        }
    }

    // ------------------------------------------------------------------ REST, with the admin login

    /** The page's address with the login in it, as the browser sends it after its prompt. */
    private String loginUrl(String path) {
        URI uri = rest.uri(path);
        String userInfo = URLEncoder.encode(admin.user(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(admin.password(), StandardCharsets.UTF_8);
        return uri.getScheme() + "://" + userInfo + "@" + uri.getRawAuthority() + uri.getRawPath();
    }

    /**
     * GET /dashboard/ as a browser would, over HTTP/1.1. (Not with ItSupport's client: the JDK
     * client's default HTTP/2 asks for an h2c upgrade, and Liberty 26.0.0.3 never answers an
     * upgraded request that it serves through the directory's welcome file; browsers use no h2c.)
     */
    private HttpResponse<String> page(ItSupport.Login login) throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(rest.uri("dashboard/")).timeout(TIMEOUT).GET();
        if (login != null) {
            request.header("Authorization", login.header());
        }
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build()
                .send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private String submit(String task) throws IOException, InterruptedException {
        return rest.object(rest.post("api/tasks", task), 201).getString("id");
    }

    private JsonObject queueFromApi(String name) throws IOException, InterruptedException {
        JsonArray queues = rest.getArray("api/queues");
        return queues.stream()
                .map(JsonValue::asJsonObject)
                .filter(q -> name.equals(q.getString("name", null)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("queue " + name + " not in GET /api/queues: " + queues));
    }
}
