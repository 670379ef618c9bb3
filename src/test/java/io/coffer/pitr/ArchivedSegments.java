package io.coffer.pitr;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

import io.coffer.catalog.PitrRepository;
import io.coffer.crypto.DecryptingInputStream;
import io.coffer.crypto.Keyring;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.CofferTestServices;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/** What the archiver uploaded for a database, read back from the S3 server as a restore would read it. */
final class ArchivedSegments {

	private final Supplier<List<PitrRepository.Segment>> segments;

	private final BlobStore store;

	ArchivedSegments(PitrRepository pitr, BlobStore store, String databaseId) {
		this(() -> pitr.segments(databaseId), store);
	}

	/** The segments the catalogue lists, oldest first, each time they are asked for; their objects in {@code store}. */
	ArchivedSegments(Supplier<List<PitrRepository.Segment>> segments, BlobStore store) {
		this.segments = segments;
		this.store = store;
	}

	/** The segments of a database in the catalogue of a cluster of separate instances ({@code CofferCluster}). */
	static ArchivedSegments inCatalogue(JdbcClient catalogue, BlobStore store, String databaseId) {
		return new ArchivedSegments(() -> catalogue
			.sql("select * from pitr_segments where database_id = ? order by last_arrival, id")
			.param(databaseId)
			.query((rs, row) -> new PitrRepository.Segment(rs.getLong("id"), databaseId, rs.getString("replid"),
					rs.getLong("start_offset"), rs.getLong("end_offset"), rs.getTimestamp("first_arrival").toInstant(),
					rs.getTimestamp("last_arrival").toInstant(), rs.getInt("commands"), rs.getString("object_key"),
					rs.getLong("stored_size"), rs.getString("stored_sha256"), rs.getString("key_id")))
			.list(), store);
	}

	/** The segments, oldest first. */
	List<PitrRepository.Segment> segments() {
		return this.segments.get();
	}

	/** The command streams of every uploaded segment, one after the other, as text. */
	String text() throws Exception {
		StringBuilder text = new StringBuilder();
		for (PitrRepository.Segment segment : this.segments.get()) {
			text.append(new String(read(segment).stream(), StandardCharsets.ISO_8859_1));
		}
		return text.toString();
	}

	/** Whether the stream holds {@code SET key value} as a command. */
	boolean holdsSet(String key, String value) throws Exception {
		return text().contains(set(key, value));
	}

	static String set(String key, String value) {
		return "$" + key.length() + "\r\n" + key + "\r\n$" + value.length() + "\r\n" + value + "\r\n";
	}

	/** Every segment follows the one before it, byte after byte: no offset is missing or repeated. */
	void assertContiguous() {
		List<PitrRepository.Segment> segments = this.segments.get();
		for (int i = 1; i < segments.size(); i++) {
			assertThat(segments.get(i).startOffset()).as("segment %d follows segment %d", i, i - 1)
				.isEqualTo(segments.get(i - 1).endOffset() + 1);
		}
	}

	/** The arrival times of the SET commands, in the order of the stream. */
	List<Long> arrivalsOfSet() throws Exception {
		List<Long> arrivals = new ArrayList<>();
		for (PitrRepository.Segment segment : this.segments.get()) {
			Read read = read(segment);
			DataInputStream index = new DataInputStream(new ByteArrayInputStream(read.index()));
			long previousEnd = segment.startOffset() - 1;
			for (int i = 0; i < segment.commands(); i++) {
				long end = index.readLong();
				long arrival = index.readLong();
				index.readByte();
				String command = new String(read.stream(), (int) (previousEnd + 1 - segment.startOffset()),
						(int) (end - previousEnd), StandardCharsets.ISO_8859_1);
				if (command.contains("\r\nset\r\n") || command.contains("\r\nSET\r\n")) {
					arrivals.add(arrival);
				}
				previousEnd = end;
			}
			assertThat(previousEnd).isEqualTo(segment.endOffset());
		}
		return arrivals;
	}

	record Read(byte[] index, byte[] stream) {
	}

	Read read(PitrRepository.Segment segment) throws Exception {
		Keyring keyring = Keyring.load(CofferTestServices.get().keyring());
		try (InputStream stored = this.store.read(segment.objectKey());
				InputStream plain = new GZIPInputStream(new DecryptingInputStream(stored, keyring))) {
			byte[] all = plain.readAllBytes();
			int firstLine = indexOf(all, 0);
			assertThat(new String(all, 0, firstLine, StandardCharsets.US_ASCII)).isEqualTo("COFFER-PITR-SEGMENT 1");
			int secondLine = indexOf(all, firstLine + 1);
			int indexLength = segment.commands() * OpenSegment.INDEX_ENTRY;
			byte[] index = Arrays.copyOfRange(all, secondLine + 1, secondLine + 1 + indexLength);
			byte[] stream = Arrays.copyOfRange(all, secondLine + 1 + indexLength, all.length);
			assertThat((long) stream.length).isEqualTo(segment.endOffset() - segment.startOffset() + 1);
			return new Read(index, stream);
		}
	}

	private static int indexOf(byte[] bytes, int from) {
		for (int i = from; i < bytes.length; i++) {
			if (bytes[i] == '\n') {
				return i;
			}
		}
		throw new AssertionError("no line end");
	}

}
