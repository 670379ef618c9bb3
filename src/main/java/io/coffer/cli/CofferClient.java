package io.coffer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.MalformedURLException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.Map;
import java.util.function.Function;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP API as the command-line client uses it: JSON in and out, the bearer token, and every
 * failure turned into one sentence ({@link CliException}).
 */
final class CofferClient {

	private static final Set<String> FINISHED = Set.of("done", "error");

	private static final Set<String> JOB_ENDED = Set.of("completed", "failed", "stopped", "abandoned");

	private static final Duration POLL_INTERVAL = Duration.ofMillis(500);


	static final String API = "/api/v1";

	private static final JsonMapper json = JsonMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.build();

	private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(1);

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

	private final HttpClient http = HttpClient.newBuilder()
		.connectTimeout(CONNECT_TIMEOUT)
		.followRedirects(HttpClient.Redirect.NORMAL)
		.build();

	private final String baseUrl;

	private final String token;

	CofferClient(String baseUrl, String token) {
		this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
		this.token = token;
	}

	String baseUrl() {
		return this.baseUrl;
	}

	/** A successful answer's JSON, or a failure's status and sentence. */
	record Answer(int status, JsonNode body) {

		boolean isSuccess() {
			return this.status >= 200 && this.status < 300;
		}

		String errorCode() {
			return this.body.path("error").asString("");
		}

		String message() {
			String message = this.body.path("message").asString("");
			return message.isBlank() ? "Coffer answered HTTP " + this.status : message;
		}

		/** The service has no such route (yet): an older service than this client. */
		boolean isMissingRoute() {
			return this.status == 405 || this.status == 501
					|| (this.status == 404 && "no such resource".equals(this.body.path("message").asString("")));
		}

	}

	JsonNode get(String path) {
		return require(send(path, "GET", null));
	}

	/** Reads the backup or restore at {@code path} again until its status is {@code done} or {@code error}. */
	JsonNode awaitFinished(String path, JsonNode current) throws InterruptedException {
		while (!FINISHED.contains(current.path("status").asString())) {
			Thread.sleep(POLL_INTERVAL.toMillis());
			current = get(path);
		}
		return current;
	}

	/** Reads the job execution again until Spring Batch says it ended, whichever way. */
	JsonNode awaitJob(long execution, JsonNode current) throws InterruptedException {
		while (!JOB_ENDED.contains(current.path("status").asString())) {
			Thread.sleep(POLL_INTERVAL.toMillis());
			current = get("/jobs/" + execution);
		}
		return current;
	}

	Answer send(String path, String method, Object body) {
		return send(path, method, body, REQUEST_TIMEOUT);
	}

	/** For a request the service answers only once its work is done, like a deletion's final backup. */
	Answer send(String path, String method, Object body, Duration timeout) {
		HttpRequest.Builder request = request(path).timeout(timeout);
		if (body != null) {
			request.header("Content-Type", "application/json")
				.method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
		}
		else {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		HttpResponse<String> response = exchange(request.build(), HttpResponse.BodyHandlers.ofString());
		return new Answer(response.statusCode(), parse(response.body()));
	}

	/**
	 * Opens a download. A 2xx answer is returned with its body unread; anything else is read
	 * and thrown as the service's sentence.
	 */
	HttpResponse<InputStream> download(String path, Map<String, String> headers,
			Function<Answer, CliException> onFailure) {
		HttpRequest.Builder request = request(path).header("Accept", "application/gzip").GET();
		// the caller's headers win, Accept included
		headers.forEach(request::setHeader);
		HttpResponse<InputStream> response = stream(request.build());
		if (response.statusCode() >= 200 && response.statusCode() < 300) {
			return response;
		}
		String body;
		try (InputStream in = response.body()) {
			body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			body = "";
		}
		Answer answer = new Answer(response.statusCode(), parse(body));
		checkToken(answer);
		throw onFailure.apply(answer);
	}

	/** The body of a 2xx answer; otherwise the service's own sentence as the failure. */
	/**
	 * The answer of a route a service may not offer yet (restores, plan and configuration changes, engine upgrades,
	 * the backup schedule): its body, or the sentence that says the service does not offer {@code thing}.
	 */
	JsonNode requireOffered(Answer answer, String thing) {
		if (answer.isMissingRoute()) {
			throw CliException.notOffered(thing, null);
		}
		return require(answer);
	}

	JsonNode require(Answer answer) {
		if (answer.isSuccess()) {
			return answer.body();
		}
		checkToken(answer);
		throw new CliException(answer.message());
	}

	void checkToken(Answer answer) {
		if (answer.status() == 401) {
			throw new CliException((this.token == null || this.token.isBlank())
					? "no token given: set COFFER_TOKEN or pass --token"
					: "the token was refused: check COFFER_TOKEN");
		}
	}

	private HttpRequest.Builder request(String path) {
		URI uri;
		try {
			uri = URI.create(this.baseUrl + API + path);
		}
		catch (IllegalArgumentException ex) {
			throw new CliException("'" + this.baseUrl + "' is not a valid URL for Coffer");
		}
		HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
		if (this.token != null && !this.token.isBlank()) {
			builder.header("Authorization", "Bearer " + this.token);
		}
		return builder;
	}

	private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
		try {
			return this.http.send(request, handler);
		}
		catch (HttpConnectTimeoutException ex) {
			throw unreachable("connection timed out");
		}
		catch (HttpTimeoutException ex) {
			throw new CliException("Coffer at " + this.baseUrl + " did not answer in time");
		}
		catch (ConnectException ex) {
			throw unreachable(rootCause(ex) instanceof UnresolvedAddressException ? "unknown host"
					: "connection refused");
		}
		catch (IOException ex) {
			throw unreachable((ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName());
		}
		catch (IllegalArgumentException ex) {
			throw new CliException("'" + this.baseUrl + "' is not a valid URL for Coffer");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CliException("interrupted");
		}
	}

	/** Like {@link #exchange}, the body read straight from the socket: {@link UrlConnectionResponse}. */
	private HttpResponse<InputStream> stream(HttpRequest request) {
		try {
			return UrlConnectionResponse.get(request, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
		}
		catch (SocketTimeoutException ex) {
			throw (ex.getMessage() != null && ex.getMessage().contains("connect")) ? unreachable("connection timed out")
					: new CliException("Coffer at " + this.baseUrl + " did not answer in time");
		}
		catch (ConnectException ex) {
			throw unreachable("connection refused");
		}
		catch (UnknownHostException ex) {
			throw unreachable("unknown host");
		}
		catch (MalformedURLException ex) {
			throw new CliException("'" + this.baseUrl + "' is not a valid URL for Coffer");
		}
		catch (IOException ex) {
			throw unreachable((ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName());
		}
		catch (IllegalArgumentException ex) {
			throw new CliException("'" + this.baseUrl + "' is not a valid URL for Coffer");
		}
	}

	private CliException unreachable(String reason) {
		return new CliException("cannot reach Coffer at " + this.baseUrl + ": " + reason);
	}

	private static Throwable rootCause(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static JsonNode parse(String body) {
		if (body == null || body.isBlank()) {
			return json.missingNode();
		}
		try {
			return json.readTree(body);
		}
		catch (JacksonException ex) {
			return json.missingNode();
		}
	}

}
