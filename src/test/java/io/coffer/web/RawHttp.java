package io.coffer.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Requests written byte for byte on a socket, for what HTTP clients would not send as asked (an encoded
 * slash or a NUL in the path, a body shorter than its length) or from another loopback address.
 */
final class RawHttp {

	private RawHttp() {
	}

	/** The answer to {@code request}, read until the server closes the connection. */
	static Answer send(int port, String request) {
		return send(port, InetAddress.getLoopbackAddress(), request);
	}

	static Answer send(int port, InetAddress from, String request) {
		try (Socket socket = new Socket()) {
			socket.bind(new InetSocketAddress(from, 0));
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
			socket.getOutputStream().flush();
			// a body shorter than its Content-Length ends here: the server sees the end of the stream
			socket.shutdownOutput();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			in.transferTo(answer);
			// one char per byte, so that chunk sizes count right; body() decodes UTF-8
			return new Answer(answer.toString(StandardCharsets.ISO_8859_1));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	record Answer(String raw) {

		int status() {
			return Integer.parseInt(this.raw.substring(9, 12));
		}

		String headers() {
			int end = this.raw.indexOf("\r\n\r\n");
			return (end < 0) ? this.raw : this.raw.substring(0, end);
		}

		String header(String name) {
			for (String line : headers().split("\r\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
					return line.substring(colon + 1).trim();
				}
			}
			return null;
		}

		/** The body, with a chunked transfer's framing taken out. */
		String body() {
			int end = this.raw.indexOf("\r\n\r\n");
			String body = (end < 0) ? "" : this.raw.substring(end + 4);
			if (!"chunked".equalsIgnoreCase(header("Transfer-Encoding"))) {
				return utf8(body);
			}
			StringBuilder plain = new StringBuilder();
			int at = 0;
			while (at < body.length()) {
				int lineEnd = body.indexOf("\r\n", at);
				int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
				if (size == 0) {
					break;
				}
				plain.append(body, lineEnd + 2, lineEnd + 2 + size);
				at = lineEnd + 2 + size + 2;
			}
			return utf8(plain.toString());
		}

		private static String utf8(String bytes) {
			return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
		}

	}

}
