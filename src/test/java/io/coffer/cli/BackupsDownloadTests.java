package io.coffer.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The download's checks, against a small HTTP server that answers like the archive endpoint's
 * contract (name, exact length, ETag of the SHA-256), and like it would when things go wrong.
 * {@code CofferCliTest} downloads from the real service.
 */
@Timeout(60)
class BackupsDownloadTests {

	private static final String NAME = "20231207000608_my_app_4553.tar.gz";

	private final byte[] archive = new byte[300_000];

	private HttpServer server;

	private String etag;

	private final List<String> rangesAsked = new CopyOnWriteArrayList<>();

	@TempDir
	Path folder;

	@BeforeEach
	void serve() throws Exception {
		new Random(42).nextBytes(this.archive);
		this.etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(this.archive)) + "\"";
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/api/v1/databases", this::answer);
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	@Test
	void theLatestBackupTakesTheServersNameOnceWholeAndChecked() throws Exception {
		CliRun.Result result = coffer().run("--app", "my-app", "backups-download");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.stdout()).isEqualTo("-----> Selected the most recent successful backup\n===> " + NAME + "\n");
		assertThat(result.stderr()).contains("292.97 KiB / 292.97 KiB [").contains("100.00%");
		assertThat(Files.readAllBytes(this.folder.resolve(NAME))).isEqualTo(this.archive);
		assertThat(this.folder.resolve(NAME + ".part")).doesNotExist();
	}

	@Test
	void aChosenBackupGoesWhereToldWithoutTheSelectionLine() throws Exception {
		CliRun.Result result = coffer().run("--app", "my-app", "backups-download", "--backup", "b-1", "--output",
				"copy.tar.gz");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.stdout()).isEqualTo("===> copy.tar.gz\n");
		assertThat(Files.readAllBytes(this.folder.resolve("copy.tar.gz"))).isEqualTo(this.archive);
	}

	@Test
	void anArchiveThatDoesNotMatchItsEtagLeavesNoFile() throws Exception {
		this.etag = "\"" + "0".repeat(64) + "\"";

		CliRun.Result result = coffer().run("--app", "my-app", "backups-download");

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stderr()).contains("coffer: download of " + NAME + " is corrupt").doesNotContain("Exception");
		assertThat(folderContent()).isEmpty();
	}

	@Test
	@Timeout(30)
	void aCutDownloadLeavesNoFile() throws Exception {
		try (ServerSocket cutting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			Thread server = new Thread(() -> answerThenCut(cutting));
			server.setDaemon(true);
			server.start();

			CliRun.Result result = new CliRun().env("COFFER_URL", "http://127.0.0.1:" + cutting.getLocalPort())
				.env("COFFER_TOKEN", "any")
				.in(this.folder)
				.run("--app", "my-app", "backups-download");

			assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
			assertThat(result.stderr()).contains("coffer: download of " + NAME + " was cut short after 100000 of 300000 bytes")
				.contains("run the command again to resume it")
				.doesNotContain("\tat ");
			assertThat(folderContent()).containsExactly(NAME + ".part");
		}

		CliRun.Result resumed = coffer().run("--app", "my-app", "backups-download");

		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.stdout()).contains("-----> Resuming " + NAME + " from 97.66 KiB\n");
		assertThat(this.rangesAsked).containsExactly("bytes=100000-");
		assertThat(Files.readAllBytes(this.folder.resolve(NAME))).isEqualTo(this.archive);
		assertThat(folderContent()).containsExactly(NAME);
	}

	@Test
	void aPartOfAnotherArchiveIsResumedThenRefusedAndRemoved() throws Exception {
		Files.write(this.folder.resolve(NAME + ".part"), new byte[1000]);

		CliRun.Result result = coffer().run("--app", "my-app", "backups-download");

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stderr()).contains("is corrupt");
		assertThat(folderContent()).isEmpty();
		assertThat(coffer().run("--app", "my-app", "backups-download").exitCode()).isZero();
		assertThat(Files.readAllBytes(this.folder.resolve(NAME))).isEqualTo(this.archive);
	}

	/** Lists the app, then announces the whole archive, sends a third of it and hangs up. */
	private void answerThenCut(ServerSocket serverSocket) {
		try {
			for (int request = 0; request < 2; request++) {
				try (Socket socket = serverSocket.accept()) {
					BufferedReader reader = new BufferedReader(
							new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
					String requestLine = reader.readLine();
					while (!reader.readLine().isEmpty()) {
						// skip the request's headers
					}
					OutputStream out = socket.getOutputStream();
					if (requestLine.startsWith("GET /api/v1/databases ")) {
						byte[] list = "[{\"id\": \"my-app-4553\", \"app\": \"my-app\"}]".getBytes(StandardCharsets.UTF_8);
						out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
								+ "Content-Length: " + list.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
						out.write(list);
					}
					else {
						out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nConnection: close\r\n"
								+ "Content-Disposition: attachment; filename=\"" + NAME + "\"\r\nETag: " + this.etag
								+ "\r\nContent-Length: " + this.archive.length + "\r\n\r\n")
							.getBytes(StandardCharsets.ISO_8859_1));
						out.write(this.archive, 0, this.archive.length / 3);
					}
					out.flush();
					endGracefully(socket);
				}
			}
		}
		catch (IOException ex) {
			// the test ends the server by closing its socket
		}
	}

	/**
	 * Ends the answer with a FIN after its last byte and waits for the client to close: a socket closed while
	 * the client still sends would be reset, and a reset may drop bytes the client had not read yet.
	 */
	private static void endGracefully(Socket socket) {
		try {
			socket.shutdownOutput();
			socket.setSoTimeout(10_000);
			socket.getInputStream().transferTo(OutputStream.nullOutputStream());
		}
		catch (IOException ex) {
			// the client reset or kept the connection: it has had every byte sent
		}
	}

	@Test
	void aServerNameCannotWriteOutsideTheFolder() {
		assertThat(BackupsDownload.safeFileName("../../etc/passwd", "b-1")).isEqualTo("passwd");
		assertThat(BackupsDownload.safeFileName("..", "b-1")).isEqualTo("b-1.tar.gz");
		assertThat(BackupsDownload.safeFileName(null, "latest")).isEqualTo("latest.tar.gz");
	}

	@Test
	void noSuccessfulBackupIsSaidInTheServersWords() throws Exception {
		CliRun.Result result = coffer().run("--app", "empty-app", "backups-download");

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stderr().strip())
			.isEqualTo("coffer: cannot download the latest backup: database empty-1 has no successful backup yet");
		assertThat(folderContent()).isEmpty();
	}

	private CliRun coffer() {
		return new CliRun().env("COFFER_URL", "http://127.0.0.1:" + this.server.getAddress().getPort())
			.env("COFFER_TOKEN", "any")
			.in(this.folder);
	}

	private String[] folderContent() throws IOException {
		try (var files = Files.list(this.folder)) {
			return files.map((file) -> file.getFileName().toString()).toArray(String[]::new);
		}
	}

	private void answer(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		if (path.equals("/api/v1/databases")) {
			json(exchange, 200, "[{\"id\": \"my-app-4553\", \"app\": \"my-app\"}, {\"id\": \"empty-1\", \"app\": \"empty-app\"}]");
		}
		else if (path.equals("/api/v1/databases/my-app-4553/backups/latest/archive")
				|| path.equals("/api/v1/databases/my-app-4553/backups/b-1/archive")) {
			exchange.getResponseHeaders().add("Content-Type", "application/gzip");
			exchange.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + NAME + "\"");
			exchange.getResponseHeaders().add("ETag", this.etag);
			exchange.getResponseHeaders().add("Accept-Ranges", "bytes");
			String range = exchange.getRequestHeaders().getFirst("Range");
			int from = 0;
			if (range != null && this.etag.equals(exchange.getRequestHeaders().getFirst("If-Range"))) {
				this.rangesAsked.add(range);
				from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
				exchange.getResponseHeaders()
					.add("Content-Range", "bytes " + from + "-" + (this.archive.length - 1) + "/" + this.archive.length);
				exchange.sendResponseHeaders(206, this.archive.length - from);
			}
			else {
				exchange.sendResponseHeaders(200, this.archive.length);
			}
			try (OutputStream body = exchange.getResponseBody()) {
				body.write(this.archive, from, this.archive.length - from);
			}
			catch (IOException ex) {
				// a client that resumes hangs up on the whole archive
			}
		}
		else if (path.equals("/api/v1/databases/empty-1/backups/latest/archive")) {
			json(exchange, 404,
					"{\"error\": \"no_backup\", \"message\": \"database empty-1 has no successful backup yet\"}");
		}
		else {
			json(exchange, 404, "{\"error\": \"not_found\", \"message\": \"no such resource\"}");
		}
	}

	private static void json(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

}
