package io.coffer.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds the request bodies of the API ({@code coffer.api.max-body-size}): a body announced larger is
 * answered 413 before a byte of it is read, and one without a length is cut off (413 as well) once it
 * passes the limit, so that a huge body is never parsed, held or echoed back. The import streams dumps
 * far larger than any JSON body, under its own limit, and is left alone.
 */
class RequestBodyLimitFilter extends OncePerRequestFilter {

	private static final Pattern IMPORT = Pattern.compile("/api/v1/databases/[^/]+/backups/import");

	private final long maxBytes;

	private final String limit;

	RequestBodyLimitFilter(DataSize maxBodySize) {
		this.maxBytes = maxBodySize.toBytes();
		this.limit = readable(this.maxBytes);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		// the decoded path, as the dispatcher matches it, so that an encoded letter cannot dodge the limit
		return IMPORT.matcher(RequestPaths.decoded(request)).matches();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getContentLengthLong() > this.maxBytes) {
			BodyTooLargeException tooLarge = tooLarge();
			ApiError.write(response, tooLarge.status(), BodyTooLargeException.CODE, tooLarge.getMessage());
			return;
		}
		chain.doFilter(new LimitedRequest(request, this.maxBytes, this), response);
	}

	private static String readable(long bytes) {
		if (bytes % (1024 * 1024) == 0) {
			return (bytes / (1024 * 1024)) + " MiB";
		}
		return (bytes % 1024 == 0) ? (bytes / 1024) + " KiB" : bytes + " bytes";
	}

	BodyTooLargeException tooLarge() {
		return new BodyTooLargeException("the request body is larger than " + this.limit
				+ ", the most this service reads (coffer.api.max-body-size)");
	}

	/** A body that passed the limit while it was read; answered 413. */
	static class BodyTooLargeException extends IOException {

		static final String CODE = "body_too_large";

		BodyTooLargeException(String message) {
			super(message);
		}

		HttpStatus status() {
			return HttpStatus.CONTENT_TOO_LARGE;
		}

	}

	private static final class LimitedRequest extends HttpServletRequestWrapper {

		private final long maxBytes;

		private final RequestBodyLimitFilter filter;

		private ServletInputStream limited;

		LimitedRequest(HttpServletRequest request, long maxBytes, RequestBodyLimitFilter filter) {
			super(request);
			this.maxBytes = maxBytes;
			this.filter = filter;
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (this.limited == null) {
				this.limited = new LimitedInputStream(super.getInputStream(), this.maxBytes, this.filter);
			}
			return this.limited;
		}

		@Override
		public BufferedReader getReader() throws IOException {
			String encoding = getCharacterEncoding();
			return new BufferedReader(new InputStreamReader(getInputStream(),
					(encoding != null) ? Charset.forName(encoding) : StandardCharsets.UTF_8));
		}

	}

	private static final class LimitedInputStream extends ServletInputStream {

		private final ServletInputStream body;

		private final RequestBodyLimitFilter filter;

		private long remaining;

		LimitedInputStream(ServletInputStream body, long maxBytes, RequestBodyLimitFilter filter) {
			this.body = body;
			this.remaining = maxBytes;
			this.filter = filter;
		}

		@Override
		public int read() throws IOException {
			int read = this.body.read();
			if (read != -1) {
				count(1);
			}
			return read;
		}

		@Override
		public int read(byte[] bytes, int offset, int length) throws IOException {
			int read = this.body.read(bytes, offset, length);
			if (read > 0) {
				count(read);
			}
			return read;
		}

		private void count(int read) throws BodyTooLargeException {
			this.remaining -= read;
			if (this.remaining < 0) {
				throw this.filter.tooLarge();
			}
		}

		@Override
		public boolean isFinished() {
			return this.body.isFinished();
		}

		@Override
		public boolean isReady() {
			return this.body.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			this.body.setReadListener(listener);
		}

		@Override
		public void close() throws IOException {
			this.body.close();
		}

	}

}
