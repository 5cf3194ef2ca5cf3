// Paimon Java (the reference implementation) as a peer of Strata's compatibility suite
// (tests/compat/java.rs). One JVM serves many requests: JVM start-up dominates a run, so the
// Rust side starts this program once and talks to it over stdin/stdout, one JSON object per
// line each way.
//
// `java PaimonJava suite WAREHOUSE MODEL.json` instead writes the suite's tables and their
// model once and exits.
//
// Requests ("op"):
//   suite    {"warehouse": W}          Java writes the suite's tables under W/db.db/ and answers
//                                      with its model: every snapshot of every table as Java
//                                      reads it back ({"tables": {name: {"path", "tags",
//                                      "snapshots": {id: {"columns", "rows"}}}}}).
//   read     {"path": P, "snapshot": N?, "tag": T?}
//                                      Java reads the table at P (latest, or time travel).
//   write    {"path": P, "rows": [[datum, ...], ...], "kinds": ["+I", ...]?,
//             "overwrite": {col: value}?}  Java commits rows to the table at P.
//   compact  {"path": P}               Java fully compacts every bucket of the table at P.
//   alter    {"path": P, "add": [name, SQL type]}  Java adds a column.
// Answers: {"ok": ...} or {"error": "..."}.
//
// Values use the datum JSON of tests/src/lib.rs: null, booleans, numbers (floats' NaN and
// infinities as strings), strings, {"hex"} binaries, {"unscaled"} decimals, {"days"} dates,
// {"millis_of_day"} times, {"micros"} timestamps; ARRAY as a list, MAP as a list of [key, value]
// pairs, ROW as a list of its fields.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.paimon.CoreOptions;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.disk.IOManager;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.GenericArray;
import org.apache.paimon.data.GenericMap;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.InternalMap;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.fs.Path;
import org.apache.paimon.index.HashBucketAssigner;
import org.apache.paimon.fs.local.LocalFileIO;
import org.apache.paimon.options.Options;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.schema.SchemaChange;
import org.apache.paimon.shade.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.paimon.shade.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.paimon.shade.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.paimon.shade.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.paimon.shade.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.paimon.table.BucketMode;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.FileStoreTableFactory;
import org.apache.paimon.table.sink.BatchTableCommit;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.sink.BatchWriteBuilder;
import org.apache.paimon.table.sink.CommitMessage;
import org.apache.paimon.table.sink.RowKeyExtractor;
import org.apache.paimon.table.source.DataSplit;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.types.ArrayType;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.DecimalType;
import org.apache.paimon.types.MapType;
import org.apache.paimon.types.MultisetType;
import org.apache.paimon.types.RowKind;
import org.apache.paimon.types.RowType;
import org.apache.paimon.utils.SnapshotManager;

public class PaimonJava {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory N = JsonNodeFactory.instance;
    // Lookup compaction (deletion vectors, the lookup changelog producer) spills to disk.
    static final IOManager IO = IOManager.create(System.getProperty("java.io.tmpdir"));

    public static void main(String[] args) throws Exception {
        // Answers go to the real stdout only; anything a library prints goes to stderr.
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        System.setOut(System.err);
        if (args.length == 3 && args[0].equals("suite")) {
            // `suite WAREHOUSE MODEL.json`: the suite's tables and Java's model of them, for
            // the npm package's tests (npm/test/support/prepare.js).
            JsonNode model = new Suite(args[1]).run();
            java.nio.file.Files.writeString(
                    java.nio.file.Path.of(args[2]), JSON.writeValueAsString(model));
            return;
        }
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            ObjectNode answer = N.objectNode();
            try {
                answer.set("ok", serve(JSON.readTree(line)));
            } catch (Throwable e) {
                StringWriter s = new StringWriter();
                e.printStackTrace(new PrintWriter(s));
                answer.put("error", s.toString());
            }
            out.println(JSON.writeValueAsString(answer));
        }
    }

    static JsonNode serve(JsonNode req) throws Exception {
        String op = req.get("op").asText();
        switch (op) {
            case "suite":
                return new Suite(req.get("warehouse").asText()).run();
            case "read":
                {
                    FileStoreTable t = open(req.get("path").asText());
                    Map<String, String> travel = new HashMap<>();
                    if (req.hasNonNull("snapshot")) {
                        travel.put("scan.snapshot-id", req.get("snapshot").asText());
                    }
                    if (req.hasNonNull("tag")) {
                        travel.put("scan.tag-name", req.get("tag").asText());
                    }
                    return read(travel.isEmpty() ? t : t.copy(travel));
                }
            case "write":
                {
                    FileStoreTable t = open(req.get("path").asText());
                    Map<String, String> overwrite = null;
                    if (req.hasNonNull("overwrite")) {
                        overwrite = new LinkedHashMap<>();
                        var it = req.get("overwrite").fields();
                        while (it.hasNext()) {
                            var e = it.next();
                            overwrite.put(e.getKey(), e.getValue().asText());
                        }
                    }
                    List<GenericRow> rows = new ArrayList<>();
                    JsonNode kinds = req.get("kinds");
                    int i = 0;
                    for (JsonNode r : req.get("rows")) {
                        GenericRow row = row(r, t.rowType());
                        if (kinds != null && kinds.hasNonNull(i)) {
                            row.setRowKind(RowKind.fromShortString(kinds.get(i).asText()));
                        }
                        rows.add(row);
                        i++;
                    }
                    write(t, rows, overwrite);
                    return N.numberNode(latest(t));
                }
            case "compact":
                {
                    FileStoreTable t = open(req.get("path").asText());
                    compact(t);
                    return N.numberNode(latest(t));
                }
            default:
                throw new IllegalArgumentException("unknown op " + op);
        }
    }

    static FileStoreTable open(String path) {
        return FileStoreTableFactory.create(LocalFileIO.create(), new Path(path));
    }

    static long latest(FileStoreTable t) {
        Long id = t.snapshotManager().latestSnapshotId();
        return id == null ? 0 : id;
    }

    // ---- writing ------------------------------------------------------------------------------

    static void write(FileStoreTable t, List<GenericRow> rows, Map<String, String> overwrite)
            throws Exception {
        BatchWriteBuilder wb = t.newBatchWriteBuilder();
        if (overwrite != null) {
            wb = wb.withOverwrite(overwrite);
        }
        try (BatchTableWrite w = (BatchTableWrite) wb.newWrite().withIOManager(IO);
                BatchTableCommit c = wb.newCommit()) {
            if (t.bucketMode() == BucketMode.HASH_DYNAMIC) {
                // Dynamic buckets: Flink's assigner operator picks each key's bucket from the
                // table's hash index; in a plain batch write the caller does it.
                HashBucketAssigner assigner =
                        new HashBucketAssigner(
                                t.snapshotManager(),
                                "strata-java-peer",
                                t.store().newIndexFileHandler(),
                                1,
                                1,
                                0,
                                new CoreOptions(t.options()).dynamicBucketTargetRowNum());
                RowKeyExtractor keys = t.createRowKeyExtractor();
                for (GenericRow r : rows) {
                    keys.setRecord(r);
                    w.write(r, assigner.assign(keys.partition(), keys.trimmedPrimaryKey().hashCode()));
                }
            } else {
                for (GenericRow r : rows) {
                    w.write(r);
                }
            }
            c.commit(w.prepareCommit());
        }
    }

    static void compact(FileStoreTable t) throws Exception {
        BatchWriteBuilder wb = t.newBatchWriteBuilder();
        List<Split> splits = t.newReadBuilder().newScan().plan().splits();
        try (BatchTableWrite w = (BatchTableWrite) wb.newWrite().withIOManager(IO);
                BatchTableCommit c = wb.newCommit()) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Split s : splits) {
                DataSplit d = (DataSplit) s;
                String key = Arrays.toString(d.partition().toBytes()) + "/" + d.bucket();
                if (seen.add(key)) {
                    w.compact(d.partition(), d.bucket(), true);
                }
            }
            List<CommitMessage> msgs = w.prepareCommit();
            c.commit(msgs);
        }
    }

    /** A row of the table's type from datum JSON. */
    static GenericRow row(JsonNode values, RowType type) {
        GenericRow row = new GenericRow(type.getFieldCount());
        for (int i = 0; i < type.getFieldCount(); i++) {
            row.setField(i, value(values.get(i), type.getTypeAt(i)));
        }
        return row;
    }

    static Object value(JsonNode v, DataType t) {
        if (v == null || v.isNull()) {
            return null;
        }
        switch (t.getTypeRoot()) {
            case BOOLEAN:
                return v.asBoolean();
            case TINYINT:
                return (byte) v.asInt();
            case SMALLINT:
                return (short) v.asInt();
            case INTEGER:
                return v.asInt();
            case BIGINT:
                return v.asLong();
            case FLOAT:
                return (float) fromJsonDouble(v);
            case DOUBLE:
                return fromJsonDouble(v);
            case CHAR:
            case VARCHAR:
                return BinaryString.fromString(v.asText());
            case BINARY:
            case VARBINARY:
                return unhex(v.get("hex").asText());
            case DECIMAL:
                {
                    DecimalType d = (DecimalType) t;
                    BigDecimal b =
                            new BigDecimal(new BigInteger(v.get("unscaled").asText()), d.getScale());
                    return Decimal.fromBigDecimal(b, d.getPrecision(), d.getScale());
                }
            case DATE:
                return v.get("days").asInt();
            case TIME_WITHOUT_TIME_ZONE:
                return v.get("millis_of_day").asInt();
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return Timestamp.fromMicros(v.get("micros").asLong());
            case ARRAY:
                {
                    DataType e = ((ArrayType) t).getElementType();
                    Object[] items = new Object[v.size()];
                    for (int i = 0; i < items.length; i++) {
                        items[i] = value(v.get(i), e);
                    }
                    return new GenericArray(items);
                }
            case MAP:
                {
                    MapType m = (MapType) t;
                    Map<Object, Object> map = new LinkedHashMap<>();
                    for (JsonNode pair : v) {
                        map.put(value(pair.get(0), m.getKeyType()), value(pair.get(1), m.getValueType()));
                    }
                    return new GenericMap(map);
                }
            case MULTISET:
                {
                    DataType e = ((MultisetType) t).getElementType();
                    Map<Object, Object> map = new LinkedHashMap<>();
                    for (JsonNode pair : v) {
                        map.put(value(pair.get(0), e), pair.get(1).asInt());
                    }
                    return new GenericMap(map);
                }
            case ROW:
                return row(v, (RowType) t);
            default:
                throw new IllegalArgumentException("no datum JSON for " + t);
        }
    }

    static double fromJsonDouble(JsonNode v) {
        if (v.isTextual()) {
            switch (v.asText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    throw new IllegalArgumentException("not a float: " + v);
            }
        }
        return v.asDouble();
    }

    static byte[] unhex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    // ---- reading ------------------------------------------------------------------------------

    /** The table's rows as {"columns": [...], "rows": [[datum, ...], ...]}. */
    static ObjectNode read(FileStoreTable t) throws Exception {
        RowType type = t.rowType();
        ReadBuilder rb = t.newReadBuilder();
        List<Split> splits = rb.newScan().plan().splits();
        ArrayNode rows = N.arrayNode();
        InternalRow.FieldGetter[] getters = new InternalRow.FieldGetter[type.getFieldCount()];
        for (int i = 0; i < getters.length; i++) {
            getters[i] = InternalRow.createFieldGetter(type.getTypeAt(i), i);
        }
        try (RecordReader<InternalRow> r = rb.newRead().createReader(splits)) {
            r.forEachRemaining(
                    row -> {
                        ArrayNode out = N.arrayNode();
                        for (int i = 0; i < getters.length; i++) {
                            out.add(datum(getters[i].getFieldOrNull(row), type.getTypeAt(i)));
                        }
                        rows.add(out);
                    });
        }
        ObjectNode o = N.objectNode();
        ArrayNode cols = o.putArray("columns");
        type.getFieldNames().forEach(cols::add);
        o.set("rows", rows);
        return o;
    }

    static JsonNode datum(Object v, DataType t) {
        if (v == null) {
            return N.nullNode();
        }
        switch (t.getTypeRoot()) {
            case BOOLEAN:
                return N.booleanNode((Boolean) v);
            case TINYINT:
                return N.numberNode((int) (Byte) v);
            case SMALLINT:
                return N.numberNode((int) (Short) v);
            case INTEGER:
                return N.numberNode((Integer) v);
            case BIGINT:
                return N.numberNode((Long) v);
            case FLOAT:
                return toJsonDouble((double) (Float) v);
            case DOUBLE:
                return toJsonDouble((Double) v);
            case CHAR:
            case VARCHAR:
                return N.textNode(v.toString());
            case BINARY:
            case VARBINARY:
                {
                    StringBuilder s = new StringBuilder();
                    for (byte b : (byte[]) v) {
                        s.append(String.format("%02x", b & 0xff));
                    }
                    return N.objectNode().put("hex", s.toString());
                }
            case DECIMAL:
                return N.objectNode()
                        .put("unscaled", ((Decimal) v).toBigDecimal().unscaledValue().toString());
            case DATE:
                return N.objectNode().put("days", (Integer) v);
            case TIME_WITHOUT_TIME_ZONE:
                return N.objectNode().put("millis_of_day", (Integer) v);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return N.objectNode().put("micros", micros((Timestamp) v));
            case ARRAY:
                {
                    DataType e = ((ArrayType) t).getElementType();
                    InternalArray a = (InternalArray) v;
                    InternalArray.ElementGetter g = InternalArray.createElementGetter(e);
                    ArrayNode out = N.arrayNode();
                    for (int i = 0; i < a.size(); i++) {
                        out.add(datum(g.getElementOrNull(a, i), e));
                    }
                    return out;
                }
            case MAP:
            case MULTISET:
                {
                    // A multiset is a map of each element to its count.
                    DataType keyType =
                            t instanceof MapType
                                    ? ((MapType) t).getKeyType()
                                    : ((MultisetType) t).getElementType();
                    DataType valueType =
                            t instanceof MapType ? ((MapType) t).getValueType() : DataTypes.INT();
                    MapType m = new MapType(keyType, valueType);
                    InternalMap map = (InternalMap) v;
                    InternalArray.ElementGetter kg = InternalArray.createElementGetter(m.getKeyType());
                    InternalArray.ElementGetter vg =
                            InternalArray.createElementGetter(m.getValueType());
                    // A map has no order: pairs sorted by their key's JSON text, as the Rust
                    // side sorts them.
                    TreeMap<String, ArrayNode> pairs = new TreeMap<>();
                    for (int i = 0; i < map.size(); i++) {
                        ArrayNode pair = N.arrayNode();
                        pair.add(datum(kg.getElementOrNull(map.keyArray(), i), m.getKeyType()));
                        pair.add(datum(vg.getElementOrNull(map.valueArray(), i), m.getValueType()));
                        pairs.put(pair.get(0).toString(), pair);
                    }
                    ArrayNode out = N.arrayNode();
                    pairs.values().forEach(out::add);
                    return out;
                }
            case ROW:
                {
                    RowType rt = (RowType) t;
                    InternalRow r = (InternalRow) v;
                    ArrayNode out = N.arrayNode();
                    for (int i = 0; i < rt.getFieldCount(); i++) {
                        out.add(
                                datum(
                                        InternalRow.createFieldGetter(rt.getTypeAt(i), i)
                                                .getFieldOrNull(r),
                                        rt.getTypeAt(i)));
                    }
                    return out;
                }
            default:
                throw new IllegalArgumentException("no datum JSON for " + t);
        }
    }

    /** Microseconds since the epoch, rounded down (as Strata's reader gives them). */
    static long micros(Timestamp ts) {
        return ts.getMillisecond() * 1000 + ts.getNanoOfMillisecond() / 1000;
    }

    static JsonNode toJsonDouble(double d) {
        if (Double.isNaN(d)) {
            return N.textNode("NaN");
        }
        if (Double.isInfinite(d)) {
            return N.textNode(d > 0 ? "Infinity" : "-Infinity");
        }
        return N.numberNode(d);
    }

    // ---- the suite: tables Java writes for Strata to read -------------------------------------

    static final class Suite {
        final String warehouse;
        final Catalog catalog;
        final ObjectNode tables = N.objectNode();

        Suite(String warehouse) throws Exception {
            this.warehouse = warehouse;
            Options o = new Options();
            o.set("warehouse", warehouse);
            this.catalog = CatalogFactory.createCatalog(CatalogContext.create(o));
            catalog.createDatabase("db", true);
        }

        JsonNode run() throws Exception {
            for (String format : new String[] {"parquet", "orc", "avro"}) {
                types(format);
                appendTable(format);
            }
            deletionVectors("parquet");
            deletionVectors("orc");
            engines();
            changelogProducers();
            evolution();
            awkwardPartitions();
            dynamicBucket();
            ObjectNode o = N.objectNode();
            o.set("tables", tables);
            return o;
        }

        FileStoreTable create(String name, Schema schema) throws Exception {
            Identifier id = Identifier.create("db", name);
            catalog.createTable(id, schema, false);
            return (FileStoreTable) catalog.getTable(id);
        }

        FileStoreTable reload(String name) throws Exception {
            return (FileStoreTable) catalog.getTable(Identifier.create("db", name));
        }

        /** Records every snapshot of the table as Java reads it, plus its tags. */
        void record(String name) throws Exception {
            FileStoreTable t = reload(name);
            ObjectNode entry = N.objectNode();
            entry.put("path", "db.db/" + name);
            ObjectNode snaps = entry.putObject("snapshots");
            SnapshotManager sm = t.snapshotManager();
            Long latest = sm.latestSnapshotId();
            Long earliest = sm.earliestSnapshotId();
            if (latest != null) {
                for (long id = earliest; id <= latest; id++) {
                    snaps.set(
                            Long.toString(id),
                            read(t.copy(Collections.singletonMap("scan.snapshot-id", Long.toString(id)))));
                }
            }
            ObjectNode tags = entry.putObject("tags");
            for (Map.Entry<String, Long> e : tagIds(t).entrySet()) {
                tags.set(e.getKey(), read(t.copy(Collections.singletonMap("scan.tag-name", e.getKey()))));
            }
            tables.set(name, entry);
        }

        Map<String, Long> tagIds(FileStoreTable t) {
            Map<String, Long> out = new TreeMap<>();
            t.tagManager().tags().forEach((snap, names) -> names.forEach(n -> out.put(n, snap.id())));
            return out;
        }

        void put(String name, Object[]... rows) throws Exception {
            putKinds(name, null, rows);
        }

        void putKinds(String name, RowKind[] kinds, Object[]... rows) throws Exception {
            List<GenericRow> list = new ArrayList<>();
            for (int i = 0; i < rows.length; i++) {
                GenericRow r = GenericRow.of(rows[i]);
                if (kinds != null) {
                    r.setRowKind(kinds[i]);
                }
                list.add(r);
            }
            write(reload(name), list, null);
        }

        static BinaryString s(String v) {
            return v == null ? null : BinaryString.fromString(v);
        }

        /** Every type Paimon has, in a primary-key table of the given file format. */
        void types(String format) throws Exception {
            String name = "types_" + format;
            boolean avro = format.equals("avro");
            Schema.Builder b =
                    Schema.newBuilder()
                            .column("id", DataTypes.INT().notNull())
                            .column("c_bool", DataTypes.BOOLEAN())
                            .column("c_tiny", DataTypes.TINYINT())
                            .column("c_small", DataTypes.SMALLINT())
                            .column("c_big", DataTypes.BIGINT())
                            .column("c_float", DataTypes.FLOAT())
                            .column("c_double", DataTypes.DOUBLE())
                            .column("c_dec_small", DataTypes.DECIMAL(9, 2))
                            .column("c_dec_mid", DataTypes.DECIMAL(18, 4))
                            .column("c_dec_big", DataTypes.DECIMAL(38, 10))
                            .column("c_char", DataTypes.CHAR(5))
                            .column("c_varchar", DataTypes.VARCHAR(20))
                            .column("c_string", DataTypes.STRING())
                            .column("c_binary", DataTypes.BINARY(4))
                            .column("c_bytes", DataTypes.BYTES())
                            .column("c_date", DataTypes.DATE())
                            .column("c_time", DataTypes.TIME())
                            .column("c_ts3", DataTypes.TIMESTAMP(3))
                            .column("c_ts6", DataTypes.TIMESTAMP(6))
                            .column("c_ltz", DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6))
                            .column("c_array", DataTypes.ARRAY(DataTypes.INT()))
                            .column("c_map", DataTypes.MAP(DataTypes.STRING(), DataTypes.BIGINT()))
                            .column(
                                    "c_row",
                                    DataTypes.ROW(
                                            DataTypes.FIELD(100, "a", DataTypes.INT()),
                                            DataTypes.FIELD(101, "b", DataTypes.STRING())))
                            .primaryKey("id")
                            .option("bucket", "2")
                            .option("file.format", format);
            if (!avro) {
                b.column("c_ts9", DataTypes.TIMESTAMP(9));
                b.column("c_multiset", DataTypes.MULTISET(DataTypes.STRING()));
            }
            create(name, b.build());
            Object[][] rows = new Object[5][];
            for (int i = 0; i < 5; i++) {
                rows[i] = typesRow(i, avro);
            }
            put(name, rows);
            // an update, a delete, a row of nulls
            Object[] update = typesRow(7, avro);
            update[0] = 1;
            Object[] nulls = new Object[avro ? 24 : 26];
            nulls[0] = 9;
            putKinds(
                    name,
                    new RowKind[] {RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.INSERT},
                    update,
                    typesRow(2, avro),
                    nulls);
            reload(name).createTag("first", 1);
            record(name);
        }

        Object[] typesRow(int i, boolean avro) {
            long sign = i % 2 == 0 ? 1 : -1;
            List<Object> r = new ArrayList<>();
            r.add(i);
            r.add(i % 2 == 0);
            r.add((byte) (i * 40 - 100));
            r.add((short) (i * 10000 - 20000));
            r.add(sign * (1L << (10 * i + 3)));
            r.add(i == 3 ? Float.NaN : (float) (sign * i * 1.25));
            r.add(i == 4 ? Double.NEGATIVE_INFINITY : sign * i / 3.0);
            r.add(Decimal.fromUnscaledLong(sign * (12345L + i), 9, 2));
            r.add(Decimal.fromUnscaledLong(sign * (123456789012345L + i), 18, 4));
            r.add(Decimal.fromBigDecimal(new BigDecimal("-12345678901234567890.0123456789").add(BigDecimal.valueOf(i)), 38, 10));
            r.add(s("ab" + i));
            r.add(s("héllo " + i));
            r.add(s(i == 1 ? "" : "a\"quote\\ 字 " + i));
            r.add(new byte[] {(byte) i, 0, (byte) 0xff, 7});
            r.add(new byte[] {(byte) (i * 3), (byte) 0x80});
            r.add((int) (sign * 19000 + i));
            r.add((i * 3_600_000 + 1_234) % 86_400_000);
            r.add(Timestamp.fromEpochMillis(sign * 1_700_000_000_123L + i));
            r.add(Timestamp.fromMicros(sign * 1_700_000_000_123_456L + i));
            r.add(Timestamp.fromMicros(1_600_000_000_000_001L + i));
            r.add(new GenericArray(new Object[] {i, null, -i}));
            Map<Object, Object> m = new LinkedHashMap<>();
            m.put(s("k" + i), (long) i);
            m.put(s("z"), null);
            r.add(new GenericMap(m));
            r.add(GenericRow.of(i * 2, s("nested " + i)));
            if (!avro) {
                r.add(Timestamp.fromEpochMillis(1_700_000_000_000L + i, 123_456 + i));
                Map<Object, Object> ms = new LinkedHashMap<>();
                ms.put(s("m" + i), i + 1);
                ms.put(s("x"), 2);
                r.add(new GenericMap(ms));
            }
            return r.toArray();
        }

        /** An append-only table (bucket -1), partitioned, with an overwrite of one partition. */
        void appendTable(String format) throws Exception {
            String name = "append_" + format;
            create(
                    name,
                    Schema.newBuilder()
                            .column("k", DataTypes.INT())
                            .column("v", DataTypes.STRING())
                            .column("p", DataTypes.STRING())
                            .partitionKeys("p")
                            .option("file.format", format)
                            .build());
            put(name, new Object[] {1, s("a"), s("x")}, new Object[] {2, s("b"), s("y")});
            put(name, new Object[] {3, s("c"), s("x")}, new Object[] {1, s("a"), s("x")});
            Map<String, String> part = Collections.singletonMap("p", "x");
            write(reload(name), List.of(GenericRow.of(9, s("over"), s("x"))), part);
            record(name);
        }

        /** Deletion vectors: upserts and deletes leave DVs on files, as Paimon writes them. */
        void deletionVectors(String format) throws Exception {
            String name = "dv_" + format;
            create(
                    name,
                    Schema.newBuilder()
                            .column("id", DataTypes.BIGINT().notNull())
                            .column("v", DataTypes.STRING())
                            .column("n", DataTypes.INT())
                            .primaryKey("id")
                            .option("bucket", "2")
                            .option("deletion-vectors.enabled", "true")
                            .option("file.format", format)
                            .build());
            Object[][] first = new Object[50][];
            for (int i = 0; i < 50; i++) {
                first[i] = new Object[] {(long) i, s("v" + i), i};
            }
            put(name, first);
            compact(reload(name));
            put(name, new Object[] {3L, s("three"), 33}, new Object[] {40L, s("forty"), 44});
            putKinds(
                    name,
                    new RowKind[] {RowKind.DELETE, RowKind.INSERT},
                    new Object[] {7L, null, null},
                    new Object[] {100L, s("new"), 100});
            record(name);
        }

        /** Merge engines: partial-update, aggregation, first-row and a sequence field. */
        void engines() throws Exception {
            create(
                    "partial_update",
                    Schema.newBuilder()
                            .column("id", DataTypes.INT().notNull())
                            .column("a", DataTypes.STRING())
                            .column("b", DataTypes.INT())
                            .primaryKey("id")
                            .option("bucket", "1")
                            .option("merge-engine", "partial-update")
                            .build());
            put("partial_update", new Object[] {1, s("a1"), null}, new Object[] {2, null, 20});
            put("partial_update", new Object[] {1, null, 10}, new Object[] {2, s("b2"), null});
            put("partial_update", new Object[] {1, s("a1'"), null});
            record("partial_update");

            create(
                    "aggregation",
                    Schema.newBuilder()
                            .column("id", DataTypes.INT().notNull())
                            .column("total", DataTypes.BIGINT())
                            .column("top", DataTypes.DOUBLE())
                            .column("last", DataTypes.STRING())
                            .column("cnt", DataTypes.INT())
                            .primaryKey("id")
                            .option("bucket", "1")
                            .option("merge-engine", "aggregation")
                            .option("fields.total.aggregate-function", "sum")
                            .option("fields.top.aggregate-function", "max")
                            .option("fields.last.aggregate-function", "last_non_null_value")
                            .option("fields.cnt.aggregate-function", "min")
                            .build());
            put("aggregation", new Object[] {1, 5L, 1.5, s("x"), 3}, new Object[] {2, 1L, -1.0, null, 9});
            put("aggregation", new Object[] {1, 7L, 0.5, null, 2}, new Object[] {2, null, 4.0, s("y"), 10});
            compact(reload("aggregation"));
            put("aggregation", new Object[] {1, -2L, 9.5, s("z"), 5});
            record("aggregation");

            create(
                    "first_row",
                    Schema.newBuilder()
                            .column("id", DataTypes.INT().notNull())
                            .column("v", DataTypes.STRING())
                            .primaryKey("id")
                            .option("bucket", "1")
                            .option("merge-engine", "first-row")
                            .build());
            put("first_row", new Object[] {1, s("first")}, new Object[] {2, s("two")});
            put("first_row", new Object[] {1, s("second")}, new Object[] {3, s("three")});
            record("first_row");

            create(
                    "sequence_field",
                    Schema.newBuilder()
                            .column("id", DataTypes.INT().notNull())
                            .column("v", DataTypes.STRING())
                            .column("ts", DataTypes.BIGINT())
                            .primaryKey("id")
                            .option("bucket", "1")
                            .option("sequence.field", "ts")
                            .build());
            put("sequence_field", new Object[] {1, s("new"), 10L}, new Object[] {2, s("a"), 5L});
            put("sequence_field", new Object[] {1, s("old"), 3L}, new Object[] {2, s("b"), 6L});
            record("sequence_field");
        }

        /** Changelog producers: the table's state must not depend on them. */
        void changelogProducers() throws Exception {
            for (String producer : new String[] {"input", "lookup", "full-compaction"}) {
                String name = "changelog_" + producer.replace('-', '_');
                create(
                        name,
                        Schema.newBuilder()
                                .column("id", DataTypes.INT().notNull())
                                .column("v", DataTypes.STRING())
                                .primaryKey("id")
                                .option("bucket", "1")
                                .option("changelog-producer", producer)
                                .build());
                put(name, new Object[] {1, s("a")}, new Object[] {2, s("b")});
                putKinds(
                        name,
                        new RowKind[] {RowKind.UPDATE_AFTER, RowKind.DELETE},
                        new Object[] {1, s("a2")},
                        new Object[] {2, s("b")});
                compact(reload(name));
                record(name);
            }
        }

        /** Schema evolution: add, rename, widen and drop columns between writes. */
        void evolution() throws Exception {
            String name = "evolution";
            create(
                    name,
                    Schema.newBuilder()
                            .column("id", DataTypes.INT().notNull())
                            .column("a", DataTypes.INT())
                            .column("b", DataTypes.STRING())
                            .column("f", DataTypes.FLOAT())
                            .primaryKey("id")
                            .option("bucket", "1")
                            .build());
            put(name, new Object[] {1, 10, s("one"), 1.5f}, new Object[] {2, 20, s("two"), 2.5f});
            Identifier id = Identifier.create("db", name);
            catalog.alterTable(id, SchemaChange.addColumn("c", DataTypes.BIGINT()), false);
            put(name, new Object[] {3, 30, s("three"), 3.5f, 300L});
            catalog.alterTable(id, SchemaChange.renameColumn("b", "b_renamed"), false);
            catalog.alterTable(id, SchemaChange.updateColumnType("a", DataTypes.BIGINT()), false);
            catalog.alterTable(id, SchemaChange.updateColumnType("f", DataTypes.DOUBLE()), false);
            put(name, new Object[] {1, 11L, s("uno"), 1.25, 100L});
            catalog.alterTable(id, SchemaChange.dropColumn("b_renamed"), false);
            put(name, new Object[] {4, 40L, 4.5, 400L});
            record(name);
        }

        /** Partition values a path must escape, nulls and an empty string (an append table: key
         * columns cannot be null). */
        void awkwardPartitions() throws Exception {
            String name = "awkward_partitions";
            create(
                    name,
                    Schema.newBuilder()
                            .column("id", DataTypes.INT().notNull())
                            .column("p", DataTypes.STRING())
                            .column("q", DataTypes.INT())
                            .column("v", DataTypes.STRING())
                            .partitionKeys("p", "q")
                            .build());
            String[] ps = {"a b", "x/y", "é=1", "100%", "colon:semi;", null, "", "#?&"};
            List<Object[]> rows = new ArrayList<>();
            for (int i = 0; i < ps.length; i++) {
                rows.add(new Object[] {i, s(ps[i]), i % 3 == 0 ? null : i, s("v" + i)});
            }
            put(name, rows.toArray(new Object[0][]));
            put(name, new Object[] {10, s("x/y"), 1, s("more")});
            Map<String, String> part = new LinkedHashMap<>();
            part.put("p", "a b");
            part.put("q", "1");
            write(reload(name), List.of(GenericRow.of(11, s("a b"), 1, s("overwritten"))), part);
            record(name);
        }

        /** Dynamic bucket mode (bucket -1) with a primary key. */
        void dynamicBucket() throws Exception {
            String name = "dynamic_bucket";
            create(
                    name,
                    Schema.newBuilder()
                            .column("id", DataTypes.BIGINT().notNull())
                            .column("v", DataTypes.STRING())
                            .primaryKey("id")
                            .option("bucket", "-1")
                            .option("dynamic-bucket.target-row-num", "10")
                            .build());
            Object[][] rows = new Object[35][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = new Object[] {(long) i, s("v" + i)};
            }
            put(name, rows);
            put(name, new Object[] {5L, s("five")}, new Object[] {34L, s("last")}, new Object[] {99L, s("new")});
            record(name);
        }
    }

}
