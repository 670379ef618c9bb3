package io.coffer.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.google.common.collect.Multimap;
import io.minio.MinioAsyncClient;
import io.minio.Xml;
import io.minio.http.Method;
import io.minio.messages.ListMultipartUploadsResult;
import okhttp3.Response;

/**
 * The MinIO async client, plus a ListMultipartUploads that sends only the parameters it is
 * given. MinIO's own always sends {@code delimiter=} and {@code max-uploads=1000}, which
 * S3Proxy refuses with 501 Not Implemented.
 */
class UploadListingClient extends MinioAsyncClient {

	UploadListingClient(MinioAsyncClient client) {
		super(client);
	}

	CompletableFuture<ListMultipartUploadsResult> listUploads(String bucket, String region, String prefix)
			throws Exception {
		Multimap<String, String> query = newMultimap("uploads", "");
		if (prefix != null && !prefix.isEmpty()) {
			query.put("prefix", prefix);
		}
		return executeAsync(Method.GET, bucket, null, region, null, query, null, 0).thenApply(this::parse);
	}

	private ListMultipartUploadsResult parse(Response response) {
		try (response) {
			return Xml.unmarshal(ListMultipartUploadsResult.class, response.body().charStream());
		}
		catch (Exception ex) {
			throw new CompletionException(ex);
		}
	}

}
