package io.coffer.redis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A command as a client sends it on a raw connection (an array of bulk strings), for the conversations
 * Jedis does not hold: a replica's handshake and its acknowledgements.
 */
public final class RespRequest {

	private RespRequest() {
	}

	/** {@code *<n>\r\n} then each argument as {@code $<length>\r\n<bytes>\r\n} (UTF-8). */
	public static byte[] of(String... arguments) {
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		request.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (String argument : arguments) {
			byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
			request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			request.writeBytes(bytes);
			request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		return request.toByteArray();
	}

}
