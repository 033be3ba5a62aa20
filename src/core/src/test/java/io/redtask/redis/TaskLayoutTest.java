package io.redtask.redis;

import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineSettings;
import io.redtask.store.ClaimedTask;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task hash's layout (lib_fields.lua, TaskRecord): payloads of any size and of any characters
 * come back exactly as submitted, though stored in parts of at most 64 bytes; a queued task with a
 * 100-byte payload is a small listpack; fields at their defaults read as their defaults, and so do
 * the state and createdAt a new ready task leaves out; records that store them (older ones) read
 * the same.
 */
class TaskLayoutTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final long T0 = 1_800_000_000_000L;
    private static final List<String> TYPES = List.of("echo");

    private RedisStorage storage;
    private TaskStore store;
    private final String q = "q";

    @BeforeEach
    void open() {
        storage = RedisStorage.open(
                REDIS.url(),
                4,
                Duration.ofSeconds(2),
                new Keys("l" + UUID.randomUUID()),
                EngineSettings.builder("s").build());
        store = storage.tasks();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private String enqueue(String payload) {
        return enqueue(payload, T0, null);
    }

    /** A task whose id was made at T0, stored at {@code now}, in {@code group} when not null. */
    private String enqueue(String payload, long now, String group) {
        return enqueue(q, payload, now, group);
    }

    private String enqueue(String q, String payload, long now, String group) {
        String id = TaskIds.next(q, T0);
        store.enqueue(
                q,
                List.of(NewTask.builder(id, "echo", q)
                        .payloadJson(payload)
                        .maxAttempts(TaskRecord.DEFAULT_MAX_ATTEMPTS)
                        .dueAt(T0)
                        .group(group)
                        .build()),
                now);
        return id;
    }

    /** Claims everything ready now (the test's tasks are claimed in submit order). */
    private List<ClaimedTask> claimAll(int max) {
        return store.claim(q, max, T0, 30_000, "w", TYPES).tasks();
    }

    @Test
    void payloadsOfEverySizeComeBackExactly() {
        int[] sizes = {0, 1, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 100 * 1024};
        List<String> payloads = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int n : sizes) {
            String p = ascii(n);
            payloads.add(p);
            ids.add(enqueue(p));
        }
        List<ClaimedTask> claimed = claimAll(sizes.length);
        assertEquals(ids, claimed.stream().map(ClaimedTask::id).toList());
        for (int i = 0; i < sizes.length; i++) {
            assertEquals(payloads.get(i), claimed.get(i).payloadJson(), "payload of " + sizes[i] + " bytes");
            assertPartsAreWhole(ids.get(i), payloads.get(i));
        }
        Map<String, String> small = hash(ids.get(4)); // 65 bytes: two parts
        assertEquals(64, small.get(TaskRecord.PAYLOAD).length());
        assertEquals(1, small.get(TaskRecord.payloadField(1)).length());
        Map<String, String> big = hash(ids.get(ids.size() - 1)); // 100 KB: one field
        assertEquals(100 * 1024, big.get(TaskRecord.PAYLOAD).length());
        assertFalse(big.containsKey(TaskRecord.payloadField(1)));
    }

    @Test
    void multiByteCharactersAreNeverCutAndComeBackExactly() {
        // Emoji (4 bytes, two Java chars) and CJK (3 bytes) at every offset around the 64-byte cuts.
        List<String> payloads = new ArrayList<>();
        for (int offset = 0; offset < 8; offset++) {
            payloads.add("\"" + "a".repeat(56 + offset) + "😀中文😀é🎉漢字".repeat(12) + "\"");
        }
        payloads.add("\"" + "😀".repeat(250) + "\""); // 1002 bytes: 16 parts of 64 bytes at most
        payloads.add("\"" + "中".repeat(340) + "\""); // 1022 bytes, cut at 63: more than 16 parts, stored whole
        List<String> ids = new ArrayList<>();
        payloads.forEach(p -> ids.add(enqueue(p)));
        List<ClaimedTask> claimed = claimAll(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            assertEquals(payloads.get(i), claimed.get(i).payloadJson(), "payload " + i);
            assertPartsAreWhole(ids.get(i), payloads.get(i));
        }
        assertFalse(hash(ids.get(ids.size() - 1)).containsKey(TaskRecord.payloadField(1)), "too many parts: whole");

        // The next task a completion claims, and the same one again when that completion is repeated.
        String next = enqueue(payloads.get(3));
        ClaimedTask first = claimed.get(0);
        var completion = store.complete(first, "null", T0, new TaskStore.NextClaim("w", 30_000, TYPES));
        assertEquals(next, completion.next().id());
        assertEquals(payloads.get(3), completion.next().payloadJson());
        var again = store.complete(first, "null", T0, new TaskStore.NextClaim("w", 30_000, TYPES));
        assertEquals(next, again.next().id(), "a repeated completion hands the same next task back");
        assertEquals(payloads.get(3), again.next().payloadJson());
        assertEquals(completion.next(), again.next());
    }

    @Test
    void aQueuedTaskWithA100BytePayloadIsASmallListpack() {
        String id = enqueue("\"" + "x".repeat(98) + "\"");
        var redis = storage.redis();
        String key = storage.keys().task(id);
        assertEquals("listpack", redis.objectEncoding(key));
        long bytes = redis.memoryUsage(key, 0);
        // What the layout is for: 248 bytes here (a listpack of 128, the 80 of this key, 40 of Redis's
        // own), where a hashtable took over 800. With the state and createdAt stored, the listpack
        // needed 156 bytes, which Redis's allocator rounds up to 160.
        assertTrue(bytes <= 256, "MEMORY USAGE of a queued task: " + bytes + " bytes; fields " + hash(id));
    }

    @Test
    void fieldsAtTheirDefaultsAreNotStoredAndReadAsTheirDefaults() {
        String id = enqueue("1");
        Map<String, String> h = hash(id);
        for (String absent : List.of(
                TaskRecord.ATTEMPTS,
                TaskRecord.FENCE,
                TaskRecord.PRIORITY,
                TaskRecord.MAX_ATTEMPTS,
                TaskRecord.RUN_AT,
                TaskRecord.STATE,
                TaskRecord.CREATED_AT,
                TaskRecord.ID,
                "queue",
                "score")) {
            assertFalse(h.containsKey(absent), absent + " is not stored: " + h);
        }
        TaskStatus s = store.find(id).orElseThrow();
        assertEquals(id, s.id());
        assertEquals(q, s.queue());
        assertEquals(TaskState.QUEUED, s.state());
        assertEquals(0, s.attempts());
        assertEquals(TaskRecord.DEFAULT_MAX_ATTEMPTS, s.maxAttempts());
        assertEquals(0, s.priority());
        assertEquals(Instant.ofEpochMilli(T0), s.createdAt());
        assertEquals(s.createdAt(), s.runAt());
        assertNull(s.startedAt());

        ClaimedTask c = claimAll(1).get(0);
        assertEquals(q, c.queue());
        assertEquals(1, c.attempt());
        assertEquals(1, c.token());
        assertEquals(TaskRecord.DEFAULT_MAX_ATTEMPTS, c.maxAttempts());
        assertEquals(T0, c.dueAt());
    }

    @Test
    void aCreationTimeTheIdDoesNotTellAndAGroupedTasksStateAreStored() {
        String late = enqueue("1", T0 + 7, null);
        assertEquals(Long.toString(T0 + 7), hash(late).get(TaskRecord.CREATED_AT));
        assertEquals(
                Instant.ofEpochMilli(T0 + 7), store.find(late).orElseThrow().createdAt());
        assertEquals(
                Instant.ofEpochMilli(T0 + 7), store.find(late).orElseThrow().runAt());

        // Lua reads the time in the id of a shard's task as Java does.
        String shard = io.redtask.store.ShardNames.name(q, 1, 3);
        String inShard = enqueue(shard, "3", T0, null);
        assertFalse(hash(inShard).containsKey(TaskRecord.CREATED_AT), inShard + ": " + hash(inShard));
        assertEquals(Instant.ofEpochMilli(T0), store.find(inShard).orElseThrow().createdAt());

        // A server of an earlier build drops a waiting group member whose record has no state.
        String grouped = enqueue("2", T0, "g");
        assertEquals("queued", hash(grouped).get(TaskRecord.STATE));
        assertFalse(hash(grouped).containsKey(TaskRecord.CREATED_AT));
    }

    @Test
    void aQueuedRecordThatStoresItsStateAndCreationTimeReadsAndCancelsAsBefore() {
        String old = enqueue("1");
        var redis = storage.redis();
        redis.hset(
                storage.keys().task(old),
                Map.of(TaskRecord.STATE, "queued", TaskRecord.CREATED_AT, Long.toString(T0 - 5)));
        String fresh = enqueue("2");
        TaskStatus s = store.find(old).orElseThrow();
        assertEquals(TaskState.QUEUED, s.state());
        assertEquals(Instant.ofEpochMilli(T0 - 5), s.createdAt());
        // The oldest ready task's wait: from its stored creation time, and from its id's when none.
        assertEquals(
                Duration.ofMillis(1005), storage.queues().stats(q, T0 + 1000).nextWaiting());
        assertEquals(java.util.Optional.of(TaskState.QUEUED), store.cancel(old, T0 + 1));
        assertEquals(
                Duration.ofMillis(1000), storage.queues().stats(q, T0 + 1000).nextWaiting());
        assertEquals(java.util.Optional.of(TaskState.QUEUED), store.cancel(fresh, T0 + 2));
        assertEquals(TaskState.CANCELLED, store.find(fresh).orElseThrow().state());
        assertEquals(Instant.ofEpochMilli(T0), store.find(fresh).orElseThrow().createdAt());
        assertEquals(java.util.Optional.of(TaskState.CANCELLED), store.cancel(fresh, T0 + 3));
        assertTrue(claimAll(2).isEmpty(), "cancelled tasks are not claimed");
    }

    @Test
    void aWaitingGroupMemberThatLostItsTypeIsDroppedAndTheCompletionThatLetsItInStillCounts() {
        storage.queues().setGroupConcurrency(q, 1);
        String first = enqueue("1", T0, "g");
        String second = enqueue("2", T0, "g"); // waits for its group's turn
        storage.redis().hdel(storage.keys().task(second), TaskRecord.TYPE);
        ClaimedTask running = claimAll(2).get(0);
        assertEquals(first, running.id());
        // Its end lets the group's next member in: that one is damaged, and is left out of line.
        assertTrue(store.complete(running, "null", T0 + 1, null).recorded());
        assertEquals(TaskState.SUCCEEDED, store.find(first).orElseThrow().state());
        assertTrue(claimAll(2).isEmpty());
    }

    @Test
    void luaAndJavaAgreeOnTheDefaultsAndTheParts() throws IOException {
        String lua;
        try (InputStream in = LuaScript.class.getResourceAsStream("lib_fields.lua")) {
            lua = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(TaskRecord.DEFAULT_MAX_ATTEMPTS, luaNumber(lua, "DEFAULT_MAX_ATTEMPTS"));
        assertEquals(TaskRecord.PAYLOAD_CHUNKS, luaNumber(lua, "PAYLOAD_CHUNKS"));
    }

    private static int luaNumber(String lua, String name) {
        Matcher m = Pattern.compile("local " + name + " = (\\d+)").matcher(lua);
        assertTrue(m.find(), name + " in lib_fields.lua");
        return Integer.parseInt(m.group(1));
    }

    private Map<String, String> hash(String id) {
        return storage.redis().hgetAll(storage.keys().task(id));
    }

    /** Every part of the stored payload is at most 64 bytes (or the whole) and valid UTF-8 on its own. */
    private void assertPartsAreWhole(String id, String payload) {
        var redis = storage.redis();
        byte[] key = storage.keys().task(id).getBytes(StandardCharsets.UTF_8);
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < TaskRecord.PAYLOAD_CHUNKS; i++) {
            byte[] part = redis.hget(key, TaskRecord.payloadField(i).getBytes(StandardCharsets.UTF_8));
            if (part == null) {
                break;
            }
            boolean whole = i == 0 && part.length == payload.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(whole || part.length <= 64, "part " + i + " of task " + id + ": " + part.length + " bytes");
            try {
                joined.append(StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(part)));
            } catch (CharacterCodingException e) {
                throw new AssertionError("part " + i + " of task " + id + " is not whole UTF-8", e);
            }
        }
        assertEquals(payload, joined.toString(), "the parts joined");
    }

    private static String ascii(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + i % 26));
        }
        return b.toString();
    }
}
