package id.go.bantenprov.satulogin;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Time-ordered UUIDs (version 7, RFC 9562) for the rows the bulk import creates.
 *
 * <p>Why: Keycloak's ids are random UUIDs, so every new row lands on a random page of each
 * primary-key index (and of the indexes that hold a user id: attributes, memberships, role
 * grants). A bulk import of thousands of users then dirties nearly every page of those indexes,
 * and the database writes them all back. Ids that grow with time append to the same few pages.
 * They are still UUIDs in Keycloak's 36-character form, unique across servers (62 random bits
 * beside the millisecond and a 12-bit counter),
 * and nothing in Keycloak reads meaning into an id.
 *
 * <p>Within one millisecond a 12-bit counter keeps the order; when it runs out the timestamp is
 * borrowed from the next millisecond, so ids from this JVM never go backwards.
 */
final class OrderedIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static long lastMillis;
    private static int counter;

    private OrderedIds() {
    }

    static String next() {
        long millis;
        int seq;
        synchronized (OrderedIds.class) {
            long now = System.currentTimeMillis();
            if (now > lastMillis) {
                lastMillis = now;
                counter = 0;
            } else if (++counter > 0xFFF) {
                lastMillis++;
                counter = 0;
            }
            millis = lastMillis;
            seq = counter;
        }
        long msb = (millis << 16) | 0x7000L | seq;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
