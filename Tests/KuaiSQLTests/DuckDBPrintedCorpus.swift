// Generated: random expressions printed by DuckDB 2.0.1 (json_deserialize_sql(json_serialize_sql(q))), which
// shows DuckDB's parse tree; kuai must print the same text. Regenerate with the Python script below
// (seed 7; keep the cases where DuckDB parses the input), never from kuai's output.
//
//     import random, duckdb, json, sys
//     random.seed(int(sys.argv[1]) if len(sys.argv)>1 else 1)
//     cols=['a','b','c','x','t.a','"first"','timestamp','hour']
//     def atom(d):
//         r=random.random()
//         if r<0.35: return random.choice(cols)
//         if r<0.5: return str(random.randint(0,99))
//         if r<0.55: return random.choice(['1.5','.5','2e3'])
//         if r<0.62: return "'s%d'"%random.randint(0,9)
//         if r<0.66: return random.choice(['NULL','TRUE','FALSE'])
//         if r<0.72: return '(%s)'%expr(d+1)
//         if r<0.78: return '%s(%s)'%(random.choice(['abs','round','coalesce','lower']), ', '.join(expr(d+1) for _ in range(random.randint(1,2))))
//         if r<0.82: return 'CASE WHEN %s THEN %s ELSE %s END'%(expr(d+1),expr(d+1),expr(d+1))
//         if r<0.86: return 'CAST(%s AS %s)'%(expr(d+1), random.choice(['INTEGER','BIGINT','VARCHAR','DOUBLE']))
//         if r<0.88: return 'count(*)'
//         if r<0.90: return 'sum(%s) OVER (PARTITION BY %s ORDER BY %s DESC)'%(expr(d+1),expr(d+1),expr(d+1))
//         return random.choice(cols)
//     BIN=['+','-','*','/','//','%','||','=','<>','<','>=','AND','OR']
//     def expr(d=0):
//         if d>3: return atom(d)
//         r=random.random()
//         if r<0.35: return atom(d)
//         if r<0.6: return '%s %s %s'%(expr(d+1), random.choice(BIN), expr(d+1))
//         if r<0.65: return 'NOT %s'%expr(d+1)
//         if r<0.70: return '-%s'%expr(d+1)
//         if r<0.74: return '%s IS %sNULL'%(expr(d+1), random.choice(['','NOT ']))
//         if r<0.78: return '%s %sBETWEEN %s AND %s'%(expr(d+1), random.choice(['','NOT ']), expr(d+1), expr(d+1))
//         if r<0.82: return '%s %sIN (%s)'%(expr(d+1), random.choice(['','NOT ']), ', '.join(expr(d+1) for _ in range(random.randint(1,3))))
//         if r<0.86: return '%s %sLIKE %s'%(expr(d+1), random.choice(['','NOT ']), expr(d+1))
//         if r<0.89: return '%s::%s'%(atom(d+1), random.choice(['INTEGER','VARCHAR']))
//         if r<0.92: return '%s IS %sDISTINCT FROM %s'%(expr(d+1), random.choice(['','NOT ']), expr(d+1))
//         return '%s %s %s %s %s'%(expr(d+1), random.choice(BIN), expr(d+1), random.choice(BIN), expr(d+1))
//     c=duckdb.connect()
//     n=0
//     with open('/tmp/exprs.txt','w') as f, open('/tmp/duck.txt','w') as g:
//         while n < 3000:
//             e=expr()
//             q='SELECT '+e
//             j=json.loads(c.execute('select json_serialize_sql(?)',[q]).fetchone()[0])
//             if j.get('error'):
//                 out='ERROR'
//             else:
//                 out=c.execute('select json_deserialize_sql(?)',[json.dumps(j)]).fetchone()[0]
//             f.write(json.dumps(q)+'\n'); g.write(json.dumps(out)+'\n'); n+=1
//     print("done")
//

enum DuckDBPrintedCorpus {
    static let cases: [(String, String)] = [
        ("SELECT a", "SELECT a"),
        ("SELECT .5", "SELECT .5"),
        ("SELECT timestamp IS DISTINCT FROM 's0' < a", "SELECT (\"timestamp\" IS DISTINCT FROM ('s0' < a))"),
        ("SELECT x", "SELECT x"),
        ("SELECT -CAST(c AS DOUBLE)", "SELECT (-(CAST(c AS DOUBLE)))"),
        (
            "SELECT NOT a = CASE WHEN 51 THEN 61 ELSE NULL END::INTEGER BETWEEN 14 % 's1' + 's8' AND 3 IS DISTINCT FROM 's2'::VARCHAR",
            "SELECT (NOT ((a = (CAST(CASE  WHEN (51) THEN (61) ELSE NULL END AS INTEGER) BETWEEN ((14 % 's1') + 's8') AND 3)) IS DISTINCT FROM CAST('s2' AS VARCHAR)))"
        ),
        (
            "SELECT NOT 59 = b AND t.a = \"first\" LIKE -coalesce((\"first\")) IS DISTINCT FROM 28 <> NOT 's3' OR 29 / a OR t.a / -hour",
            "SELECT (((NOT (59 = b)) AND ((t.a = (\"first\" ~~ (-(COALESCE(\"first\"))))) IS DISTINCT FROM (28 != (NOT 's3')))) OR (29 / a) OR (t.a / (-(\"hour\"))))"
        ),
        ("SELECT .5 <> 53 IS DISTINCT FROM (27) >= c", "SELECT ((.5 != 53) IS DISTINCT FROM (27 >= c))"),
        ("SELECT t.a", "SELECT t.a"),
        ("SELECT b", "SELECT b"),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT -x", "SELECT (-(x))"),
        ("SELECT 's0' <> 40", "SELECT ('s0' != 40)"),
        ("SELECT NOT 30::INTEGER", "SELECT (NOT CAST(30 AS INTEGER))"),
        ("SELECT 83", "SELECT 83"),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT NULL::VARCHAR", "SELECT CAST(NULL AS VARCHAR)"),
        ("SELECT 47", "SELECT 47"),
        ("SELECT \"first\"", "SELECT \"first\""),
        (
            "SELECT b / x / 33 OR hour::INTEGER IS NULL",
            "SELECT (((b / x) / 33) OR (CAST(\"hour\" AS INTEGER) IS NULL))"
        ),
        ("SELECT 's6' IS DISTINCT FROM c || timestamp", "SELECT ('s6' IS DISTINCT FROM (c || \"timestamp\"))"),
        ("SELECT b IS NULL % FALSE", "SELECT ((b IS NULL) % false)"),
        (
            "SELECT 83 + timestamp - t.a < hour AND hour < 2e3 IS DISTINCT FROM t.a NOT BETWEEN 94 AND hour / t.a",
            "SELECT ((((83 + \"timestamp\") - t.a) < \"hour\") AND ((\"hour\" < 2e3) IS DISTINCT FROM (NOT (t.a BETWEEN 94 AND (\"hour\" / t.a)))))"
        ),
        ("SELECT 's5'::INTEGER", "SELECT CAST('s5' AS INTEGER)"),
        ("SELECT 61", "SELECT 61"),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        ("SELECT -2e3", "SELECT -2e3"),
        (
            "SELECT (a // 2::VARCHAR BETWEEN 0 || timestamp AND \"first\")",
            "SELECT ((a // CAST(2 AS VARCHAR)) BETWEEN (0 || \"timestamp\") AND \"first\")"
        ),
        (
            "SELECT NOT NOT (-sum(NULL) OVER (PARTITION BY FALSE ORDER BY CAST(CAST(x AS INTEGER) AS DOUBLE) DESC))",
            "SELECT (NOT (NOT (-(sum(NULL) OVER (PARTITION BY false ORDER BY CAST(CAST(x AS INTEGER) AS DOUBLE) DESC)))))"
        ),
        ("SELECT -.5 IS NOT DISTINCT FROM c", "SELECT (-.5 IS NOT DISTINCT FROM c)"),
        (
            "SELECT CASE WHEN \"first\" < NOT 66 THEN a IS NULL ELSE a OR x * 2e3 <> TRUE END::INTEGER",
            "SELECT CAST(CASE  WHEN ((\"first\" < (NOT 66))) THEN ((a IS NULL)) ELSE (a OR ((x * 2e3) != true)) END AS INTEGER)"
        ),
        ("SELECT \"first\" LIKE x::VARCHAR", "SELECT (\"first\" ~~ CAST(x AS VARCHAR))"),
        ("SELECT a IS NULL", "SELECT (a IS NULL)"),
        ("SELECT 's5' IS NULL", "SELECT ('s5' IS NULL)"),
        ("SELECT 70::VARCHAR * -\"first\" = NOT -.5", "SELECT ((CAST(70 AS VARCHAR) * (-(\"first\"))) = (NOT -.5))"),
        ("SELECT b", "SELECT b"),
        ("SELECT NULL", "SELECT NULL"),
        ("SELECT 's8'", "SELECT 's8'"),
        ("SELECT 2", "SELECT 2"),
        (
            "SELECT round(b OR FALSE IN (TRUE = c), timestamp NOT IN ((92), CASE WHEN 83 THEN hour ELSE 79 END) >= sum(t.a) OVER (PARTITION BY CAST(\"first\" AS BIGINT) ORDER BY .5 DESC) BETWEEN -t.a AND c)",
            "SELECT round((b OR (false IN ((true = c)))), ((NOT (\"timestamp\" IN (92, CASE  WHEN (83) THEN (\"hour\") ELSE 79 END))) >= (sum(t.a) OVER (PARTITION BY CAST(\"first\" AS BIGINT) ORDER BY .5 DESC) BETWEEN (-(t.a)) AND c)))"
        ),
        ("SELECT 96 IN (16)", "SELECT (96 IN (16))"),
        ("SELECT count(*)", "SELECT count_star()"),
        (
            "SELECT timestamp NOT BETWEEN 70 AND t.a // 42 <> \"first\" / -\"first\" NOT IN ('s1') OR 73 + 13 + CAST(98 AS INTEGER) OR 18 >= ((count(*))) - (97) * a",
            "SELECT (((NOT (\"timestamp\" BETWEEN 70 AND (t.a // 42))) != (NOT ((\"first\" / (-(\"first\"))) IN ('s1')))) OR ((73 + 13) + CAST(98 AS INTEGER)) OR (18 >= (count_star() - (97 * a))))"
        ),
        ("SELECT a % t.a::VARCHAR", "SELECT (a % CAST(t.a AS VARCHAR))"),
        ("SELECT a::VARCHAR", "SELECT CAST(a AS VARCHAR)"),
        ("SELECT 's9'", "SELECT 's9'"),
        ("SELECT t.a IS NOT NULL", "SELECT (t.a IS NOT NULL)"),
        ("SELECT 8::VARCHAR", "SELECT CAST(8 AS VARCHAR)"),
        ("SELECT hour::INTEGER", "SELECT CAST(\"hour\" AS INTEGER)"),
        (
            "SELECT \"first\" % NULL % a LIKE 's2' IS NOT NULL * 19 + CAST(hour AS INTEGER)",
            "SELECT (((((\"first\" % NULL) % a) ~~ 's2') IS NOT NULL) * (19 + CAST(\"hour\" AS INTEGER)))"
        ),
        ("SELECT b", "SELECT b"),
        ("SELECT 2e3", "SELECT 2e3"),
        ("SELECT -36 IS DISTINCT FROM \"first\"", "SELECT (-36 IS DISTINCT FROM \"first\")"),
        ("SELECT b - coalesce('s3')::VARCHAR", "SELECT (b - CAST(COALESCE('s3') AS VARCHAR))"),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        (
            "SELECT hour - hour IS DISTINCT FROM c::VARCHAR LIKE 76",
            "SELECT ((\"hour\" - \"hour\") IS DISTINCT FROM (CAST(c AS VARCHAR) ~~ 76))"
        ),
        ("SELECT count(*) IS NULL + 74", "SELECT ((count_star() IS NULL) + 74)"),
        (
            "SELECT timestamp * hour AND timestamp AND 77 <> a OR 42 AND 72",
            "SELECT (((\"timestamp\" * \"hour\") AND \"timestamp\" AND (77 != a)) OR (42 AND 72))"
        ),
        (
            "SELECT NOT 39 + timestamp < x % 's7' // x // b IS NOT NULL",
            "SELECT (NOT (((39 + \"timestamp\") < (((x % 's7') // x) // b)) IS NOT NULL))"
        ),
        ("SELECT 56 % c IS NOT NULL", "SELECT ((56 % c) IS NOT NULL)"),
        ("SELECT 86", "SELECT 86"),
        ("SELECT 's4'", "SELECT 's4'"),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT .5", "SELECT .5"),
        ("SELECT -70 < FALSE", "SELECT (-70 < false)"),
        ("SELECT b * abs(hour)", "SELECT (b * abs(\"hour\"))"),
        (
            "SELECT NOT \"first\" IN (a, b, 49) LIKE sum(79 / a * c % count(*)) OVER (PARTITION BY hour - timestamp >= t.a IS NOT NULL ORDER BY 31::INTEGER DESC)",
            "SELECT (NOT ((\"first\" IN (a, b, 49)) ~~ sum((((79 / a) * c) % count_star())) OVER (PARTITION BY (((\"hour\" - \"timestamp\") >= t.a) IS NOT NULL) ORDER BY CAST(31 AS INTEGER) DESC)))"
        ),
        ("SELECT 23", "SELECT 23"),
        ("SELECT -timestamp", "SELECT (-(\"timestamp\"))"),
        ("SELECT \"first\" NOT LIKE t.a", "SELECT (\"first\" !~~ t.a)"),
        ("SELECT t.a", "SELECT t.a"),
        (
            "SELECT abs(1, c || b < b AND count(*) * 43 OR (CAST(\"first\" AS VARCHAR)) NOT BETWEEN \"first\" AND \"first\" IS NULL)",
            "SELECT abs(1, ((((c || b) < b) AND (count_star() * 43)) OR ((NOT (CAST(\"first\" AS VARCHAR) BETWEEN \"first\" AND \"first\")) IS NULL)))"
        ),
        ("SELECT x", "SELECT x"),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT b", "SELECT b"),
        ("SELECT c", "SELECT c"),
        ("SELECT \"first\"", "SELECT \"first\""),
        (
            "SELECT CASE WHEN c::INTEGER THEN 1.5 ELSE NOT a >= 's5' * timestamp OR TRUE END",
            "SELECT CASE  WHEN (CAST(c AS INTEGER)) THEN (1.5) ELSE ((NOT (a >= ('s5' * \"timestamp\"))) OR true) END"
        ),
        (
            "SELECT t.a // a = count(*) BETWEEN ('s7') AND x AND count(*) BETWEEN 17 AND t.a >= a * abs(50) IS DISTINCT FROM FALSE AND 42 + NULL + 's9'",
            "SELECT (((t.a // a) = (count_star() BETWEEN 's7' AND x)) AND (((count_star() BETWEEN 17 AND t.a) >= (a * abs(50))) IS DISTINCT FROM false) AND ((42 + NULL) + 's9'))"
        ),
        ("SELECT \"first\" - hour::INTEGER", "SELECT (\"first\" - CAST(\"hour\" AS INTEGER))"),
        ("SELECT c >= 63 - x IS NULL", "SELECT ((c >= (63 - x)) IS NULL)"),
        ("SELECT t.a", "SELECT t.a"),
        ("SELECT x", "SELECT x"),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT NULL", "SELECT NULL"),
        ("SELECT 37", "SELECT 37"),
        ("SELECT NOT 46 + 82 IS NOT NULL", "SELECT (NOT ((46 + 82) IS NOT NULL))"),
        ("SELECT c IS NOT NULL >= b", "SELECT ((c IS NOT NULL) >= b)"),
        (
            "SELECT round(coalesce(1.5), x) <> b IN (CAST(7 AND c IS NOT NULL AS VARCHAR), CASE WHEN ((t.a)) THEN x ELSE x END::VARCHAR BETWEEN t.a AND 1.5)",
            "SELECT (round(COALESCE(1.5), x) != (b IN (CAST((7 AND (c IS NOT NULL)) AS VARCHAR), (CAST(CASE  WHEN (t.a) THEN (x) ELSE x END AS VARCHAR) BETWEEN t.a AND 1.5))))"
        ),
        ("SELECT c", "SELECT c"),
        ("SELECT -CAST(b AS VARCHAR) = lower(t.a)", "SELECT ((-(CAST(b AS VARCHAR))) = lower(t.a))"),
        (
            "SELECT t.a OR t.a LIKE 's1' IS DISTINCT FROM t.a + 61",
            "SELECT (t.a OR ((t.a ~~ 's1') IS DISTINCT FROM (t.a + 61)))"
        ),
        ("SELECT hour::VARCHAR", "SELECT CAST(\"hour\" AS VARCHAR)"),
        (
            "SELECT -round(NULL // 's1' - -x < 1.5 BETWEEN \"first\" AND a, round(CASE WHEN 23 THEN timestamp ELSE CASE WHEN x THEN c ELSE \"first\" END END, x NOT BETWEEN (a) AND CASE WHEN 63 THEN .5 ELSE b END))",
            "SELECT (-(round((((NULL // 's1') - (-(x))) < (1.5 BETWEEN \"first\" AND a)), round(CASE  WHEN (23) THEN (\"timestamp\") ELSE CASE  WHEN (x) THEN (c) ELSE \"first\" END END, (NOT (x BETWEEN a AND CASE  WHEN (63) THEN (.5) ELSE b END))))))"
        ),
        ("SELECT TRUE", "SELECT true"),
        ("SELECT (hour) NOT IN ((hour))", "SELECT (NOT (\"hour\" IN (\"hour\")))"),
        (
            "SELECT CAST(CASE WHEN count(*) THEN b ELSE t.a END AS BIGINT) / hour <> 87 IN (-TRUE || 11, ((timestamp) NOT IN (a))) LIKE 52::VARCHAR",
            "SELECT ((CAST(CASE  WHEN (count_star()) THEN (b) ELSE t.a END AS BIGINT) / \"hour\") != ((87 IN (((-(true)) || 11), (NOT (\"timestamp\" IN (a))))) ~~ CAST(52 AS VARCHAR)))"
        ),
        ("SELECT 's6'::VARCHAR", "SELECT CAST('s6' AS VARCHAR)"),
        (
            "SELECT NOT \"first\" * CAST(6 AS VARCHAR) * CASE WHEN t.a THEN round(t.a, \"first\") ELSE c END // x < 13",
            "SELECT (NOT ((((\"first\" * CAST(6 AS VARCHAR)) * CASE  WHEN (t.a) THEN (round(t.a, \"first\")) ELSE c END) // x) < 13))"
        ),
        (
            "SELECT -CASE WHEN hour <> CAST(TRUE AS INTEGER) THEN lower(coalesce(50, .5), CAST(hour AS INTEGER)) ELSE CAST('s5' AS VARCHAR) END // count(*)::INTEGER OR NOT CAST(CAST((c) AS BIGINT) AS INTEGER) OR CAST(CASE WHEN CAST(63 AS VARCHAR) THEN c ELSE (timestamp) END AS VARCHAR) * b",
            "SELECT (((-(CASE  WHEN ((\"hour\" != CAST(true AS INTEGER))) THEN (lower(COALESCE(50, .5), CAST(\"hour\" AS INTEGER))) ELSE CAST('s5' AS VARCHAR) END)) // CAST(count_star() AS INTEGER)) OR (NOT CAST(CAST(c AS BIGINT) AS INTEGER)) OR (CAST(CASE  WHEN (CAST(63 AS VARCHAR)) THEN (c) ELSE \"timestamp\" END AS VARCHAR) * b))"
        ),
        (
            "SELECT .5 - \"first\" <> x // CAST(CASE WHEN 1.5 THEN c ELSE t.a END AS DOUBLE) % FALSE",
            "SELECT ((.5 - \"first\") != ((x // CAST(CASE  WHEN (1.5) THEN (c) ELSE t.a END AS DOUBLE)) % false))"
        ),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        (
            "SELECT (t.a) AND abs(82 AND coalesce(FALSE, TRUE)) NOT IN (\"first\")",
            "SELECT (t.a AND (NOT (abs((82 AND COALESCE(false, true))) IN (\"first\"))))"
        ),
        (
            "SELECT CASE WHEN a::INTEGER THEN CAST(2e3 AS INTEGER) AND t.a NOT LIKE x + hour ELSE ((b) IS NOT NULL) END >= abs(round('s5', abs(b)) >= -'s8')",
            "SELECT (CASE  WHEN (CAST(a AS INTEGER)) THEN ((CAST(2e3 AS INTEGER) AND (t.a !~~ (x + \"hour\")))) ELSE (b IS NOT NULL) END >= abs((round('s5', abs(b)) >= (-('s8')))))"
        ),
        ("SELECT 's7'", "SELECT 's7'"),
        ("SELECT NOT hour::INTEGER - 89", "SELECT (NOT (CAST(\"hour\" AS INTEGER) - 89))"),
        (
            "SELECT -\"first\" IS NOT NULL / CAST(CAST(CASE WHEN (a) THEN CAST(b AS BIGINT) ELSE CASE WHEN (t.a) THEN c ELSE 7 END END AS DOUBLE) AS VARCHAR)",
            "SELECT (((-(\"first\")) IS NOT NULL) / CAST(CAST(CASE  WHEN (a) THEN (CAST(b AS BIGINT)) ELSE CASE  WHEN (t.a) THEN (c) ELSE 7 END END AS DOUBLE) AS VARCHAR))"
        ),
        (
            "SELECT -a // \"first\" LIKE CASE WHEN \"first\" THEN b ELSE count(*) END",
            "SELECT (((-(a)) // \"first\") ~~ CASE  WHEN (\"first\") THEN (b) ELSE count_star() END)"
        ),
        (
            "SELECT abs(NOT coalesce(TRUE)::VARCHAR) IS DISTINCT FROM (hour NOT LIKE 91)",
            "SELECT (abs((NOT CAST(COALESCE(true) AS VARCHAR))) IS DISTINCT FROM (\"hour\" !~~ 91))"
        ),
        (
            "SELECT CASE WHEN NULL THEN \"first\" ELSE hour END NOT IN (a, NOT (x)) OR NOT NULL || a NOT IN (c, (hour), b) = hour * x LIKE -hour / 95",
            "SELECT ((NOT (CASE  WHEN (NULL) THEN (\"first\") ELSE \"hour\" END IN (a, (NOT x)))) OR (NOT ((NOT ((NULL || a) IN (c, \"hour\", b))) = ((\"hour\" * x) ~~ ((-(\"hour\")) / 95)))))"
        ),
        (
            "SELECT (\"first\") <> CAST(hour IS NULL AS VARCHAR) IS DISTINCT FROM round(CASE WHEN timestamp THEN x ELSE .5 END * x % coalesce((round(TRUE)), c), 's1'::VARCHAR) < .5 AND hour BETWEEN (CASE WHEN 14 THEN t.a ELSE CAST(FALSE AS BIGINT) END) AND (x)",
            "SELECT (((\"first\" != CAST((\"hour\" IS NULL) AS VARCHAR)) IS DISTINCT FROM (round(((CASE  WHEN (\"timestamp\") THEN (x) ELSE .5 END * x) % COALESCE(round(true), c)), CAST('s1' AS VARCHAR)) < .5)) AND (\"hour\" BETWEEN CASE  WHEN (14) THEN (t.a) ELSE CAST(false AS BIGINT) END AND x))"
        ),
        (
            "SELECT NOT hour LIKE timestamp AND CASE WHEN x LIKE c THEN (a) ELSE b END / \"first\"",
            "SELECT ((NOT (\"hour\" ~~ \"timestamp\")) AND (CASE  WHEN ((x ~~ c)) THEN (a) ELSE b END / \"first\"))"
        ),
        ("SELECT 61", "SELECT 61"),
        ("SELECT b::VARCHAR", "SELECT CAST(b AS VARCHAR)"),
        ("SELECT a", "SELECT a"),
        (
            "SELECT NOT CAST(CASE WHEN \"first\" THEN \"first\" ELSE 36 END AS INTEGER) / (round(c)) OR \"first\" IS NOT DISTINCT FROM \"first\" >= c NOT LIKE count(*)",
            "SELECT ((NOT (CAST(CASE  WHEN (\"first\") THEN (\"first\") ELSE 36 END AS INTEGER) / round(c))) OR (\"first\" IS NOT DISTINCT FROM (\"first\" >= (c !~~ count_star()))))"
        ),
        ("SELECT a", "SELECT a"),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        ("SELECT -a", "SELECT (-(a))"),
        (
            "SELECT NOT 1.5 % CASE WHEN hour THEN t.a ELSE 77 END < CASE WHEN \"first\" THEN CASE WHEN a THEN \"first\" ELSE hour END ELSE timestamp END IN (c)",
            "SELECT (NOT ((1.5 % CASE  WHEN (\"hour\") THEN (t.a) ELSE 77 END) < (CASE  WHEN (\"first\") THEN (CASE  WHEN (a) THEN (\"first\") ELSE \"hour\" END) ELSE \"timestamp\" END IN (c))))"
        ),
        ("SELECT a", "SELECT a"),
        ("SELECT b * timestamp / 93 || FALSE OR c // b", "SELECT ((((b * \"timestamp\") / 93) || false) OR (c // b))"),
        ("SELECT c", "SELECT c"),
        ("SELECT c", "SELECT c"),
        ("SELECT 25", "SELECT 25"),
        (
            "SELECT NOT \"first\" IS NOT NULL AND -'s6' % c % sum(x) OVER (PARTITION BY CASE WHEN CASE WHEN CAST(\"first\" AS VARCHAR) THEN FALSE ELSE \"first\" END THEN hour ELSE b END ORDER BY 96 DESC) + b < 2e3 + abs(b, 's6')",
            "SELECT ((NOT (\"first\" IS NOT NULL)) AND (((((-('s6')) % c) % sum(x) OVER (PARTITION BY CASE  WHEN (CASE  WHEN (CAST(\"first\" AS VARCHAR)) THEN (false) ELSE \"first\" END) THEN (\"hour\") ELSE b END ORDER BY 96 DESC)) + b) < (2e3 + abs(b, 's6'))))"
        ),
        (
            "SELECT coalesce(CAST(b AS VARCHAR)) IS NOT NULL OR timestamp OR 's4' = TRUE IS NOT DISTINCT FROM -(a) AND c NOT IN (CAST(CAST(a AS DOUBLE) AS DOUBLE), b, CAST(sum(hour) OVER (PARTITION BY 's1' ORDER BY coalesce(b) DESC) AS BIGINT)) NOT LIKE x",
            "SELECT ((COALESCE(CAST(b AS VARCHAR)) IS NOT NULL) OR \"timestamp\" OR ((('s4' = true) IS NOT DISTINCT FROM (-(a))) AND ((NOT (c IN (CAST(CAST(a AS DOUBLE) AS DOUBLE), b, CAST(sum(\"hour\") OVER (PARTITION BY 's1' ORDER BY COALESCE(b) DESC) AS BIGINT)))) !~~ x)))"
        ),
        ("SELECT 's3'", "SELECT 's3'"),
        (
            "SELECT -t.a BETWEEN ((a)) || t.a % sum((.5)) OVER (PARTITION BY c ORDER BY x DESC) AND x - b // 's8' % -timestamp - CAST(sum(.5) OVER (PARTITION BY 84 ORDER BY a DESC) AS INTEGER) || FALSE || round(\"first\", c)",
            "SELECT ((-(t.a)) BETWEEN (a || (t.a % sum(.5) OVER (PARTITION BY c ORDER BY x DESC))) AND ((((x - ((b // 's8') % (-(\"timestamp\")))) - CAST(sum(.5) OVER (PARTITION BY 84 ORDER BY a DESC) AS INTEGER)) || false) || round(\"first\", c)))"
        ),
        ("SELECT b", "SELECT b"),
        ("SELECT a", "SELECT a"),
        ("SELECT -68 IS NOT NULL", "SELECT (-68 IS NOT NULL)"),
        ("SELECT \"first\" / 55 - x", "SELECT ((\"first\" / 55) - x)"),
        ("SELECT NOT -timestamp", "SELECT (NOT (-(\"timestamp\")))"),
        ("SELECT -.5", "SELECT -.5"),
        ("SELECT TRUE", "SELECT true"),
        (
            "SELECT timestamp <> 90 IN (45 IS NOT NULL = round(timestamp) NOT BETWEEN FALSE AND a % t.a OR CASE WHEN hour THEN c ELSE 47 END, sum(\"first\") OVER (PARTITION BY 53::INTEGER NOT LIKE FALSE ORDER BY x DESC))",
            "SELECT (\"timestamp\" != (90 IN ((((45 IS NOT NULL) = (NOT (round(\"timestamp\") BETWEEN false AND (a % t.a)))) OR CASE  WHEN (\"hour\") THEN (c) ELSE 47 END), sum(\"first\") OVER (PARTITION BY (CAST(53 AS INTEGER) !~~ false) ORDER BY x DESC))))"
        ),
        ("SELECT 's8'", "SELECT 's8'"),
        (
            "SELECT NOT NOT t.a || x IS DISTINCT FROM timestamp",
            "SELECT (NOT (NOT ((t.a || x) IS DISTINCT FROM \"timestamp\")))"
        ),
        ("SELECT CAST('s6' AS INTEGER)", "SELECT CAST('s6' AS INTEGER)"),
        ("SELECT 42::VARCHAR", "SELECT CAST(42 AS VARCHAR)"),
        ("SELECT \"first\"", "SELECT \"first\""),
        ("SELECT FALSE", "SELECT false"),
        ("SELECT b", "SELECT b"),
        ("SELECT hour <> x", "SELECT (\"hour\" != x)"),
        ("SELECT b", "SELECT b"),
        ("SELECT a", "SELECT a"),
        ("SELECT 47", "SELECT 47"),
        ("SELECT count(*)", "SELECT count_star()"),
        ("SELECT a >= t.a", "SELECT (a >= t.a)"),
        ("SELECT 1.5", "SELECT 1.5"),
        (
            "SELECT abs(coalesce(NOT NOT abs(.5)), timestamp / TRUE || CAST('s7' AS VARCHAR) / timestamp OR NOT 77)",
            "SELECT abs(COALESCE((NOT (NOT abs(.5)))), (((\"timestamp\" / true) || (CAST('s7' AS VARCHAR) / \"timestamp\")) OR (NOT 77)))"
        ),
        ("SELECT hour::VARCHAR NOT LIKE 23", "SELECT (CAST(\"hour\" AS VARCHAR) !~~ 23)"),
        ("SELECT -x NOT LIKE c", "SELECT ((-(x)) !~~ c)"),
        ("SELECT 's5'", "SELECT 's5'"),
        ("SELECT t.a >= 67", "SELECT (t.a >= 67)"),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        ("SELECT NOT 2e3", "SELECT (NOT 2e3)"),
        (
            "SELECT CASE WHEN -70 THEN NOT 's2' ELSE NOT 81 END::INTEGER AND ((round(c) IS NOT NULL))",
            "SELECT (CAST(CASE  WHEN (-70) THEN ((NOT 's2')) ELSE (NOT 81) END AS INTEGER) AND (round(c) IS NOT NULL))"
        ),
        ("SELECT 28", "SELECT 28"),
        ("SELECT a::INTEGER", "SELECT CAST(a AS INTEGER)"),
        ("SELECT a", "SELECT a"),
        ("SELECT t.a", "SELECT t.a"),
        ("SELECT TRUE::VARCHAR", "SELECT CAST(true AS VARCHAR)"),
        (
            "SELECT 's6' // 50 - (FALSE) || timestamp % FALSE - (c) // hour // hour < a || CASE WHEN hour THEN 27 ELSE 2 END IS NOT NULL || ((x)) IS NOT NULL || 84",
            "SELECT (((((((('s6' // 50) - false) || ((\"timestamp\" % false) - ((c // \"hour\") // \"hour\"))) < (a || CASE  WHEN (\"hour\") THEN (27) ELSE 2 END)) IS NOT NULL) || x) IS NOT NULL) || 84)"
        ),
        ("SELECT -hour", "SELECT (-(\"hour\"))"),
        ("SELECT count(*)", "SELECT count_star()"),
        (
            "SELECT timestamp IS NOT DISTINCT FROM round(lower(NOT 36, (\"first\") NOT BETWEEN FALSE AND \"first\"))",
            "SELECT (\"timestamp\" IS NOT DISTINCT FROM round(lower((NOT 36), (NOT (\"first\" BETWEEN false AND \"first\")))))"
        ),
        (
            "SELECT -TRUE <> (t.a) % c OR NOT 1.5 || \"first\"",
            "SELECT (((-(true)) != (t.a % c)) OR (NOT (1.5 || \"first\")))"
        ),
        ("SELECT b", "SELECT b"),
        (
            "SELECT -(89) IS NOT DISTINCT FROM c OR CASE WHEN CASE WHEN 44 THEN 's7' ELSE a END THEN 27 ELSE hour END IS NOT DISTINCT FROM round((timestamp)) / 2e3 AND x NOT IN (sum(c) OVER (PARTITION BY coalesce(a) ORDER BY timestamp DESC), \"first\" + 41 <> t.a)",
            "SELECT ((-89 IS NOT DISTINCT FROM c) OR ((CASE  WHEN (CASE  WHEN (44) THEN ('s7') ELSE a END) THEN (27) ELSE \"hour\" END IS NOT DISTINCT FROM (round(\"timestamp\") / 2e3)) AND (NOT (x IN (sum(c) OVER (PARTITION BY COALESCE(a) ORDER BY \"timestamp\" DESC), ((\"first\" + 41) != t.a))))))"
        ),
        (
            "SELECT t.a // -coalesce((c), 's7') * count(*) IS NOT DISTINCT FROM CASE WHEN CAST(c AS VARCHAR) THEN 82 IS NOT DISTINCT FROM \"first\" ELSE -34 END",
            "SELECT (((t.a // (-(COALESCE(c, 's7')))) * count_star()) IS NOT DISTINCT FROM CASE  WHEN (CAST(c AS VARCHAR)) THEN ((82 IS NOT DISTINCT FROM \"first\")) ELSE -34 END)"
        ),
        ("SELECT hour LIKE FALSE", "SELECT (\"hour\" ~~ false)"),
        ("SELECT x", "SELECT x"),
        ("SELECT FALSE", "SELECT false"),
        ("SELECT hour", "SELECT \"hour\""),
        (
            "SELECT CAST(x AS DOUBLE) - 65 % 2e3 IS NULL / a || timestamp",
            "SELECT ((((CAST(x AS DOUBLE) - (65 % 2e3)) IS NULL) / a) || \"timestamp\")"
        ),
        ("SELECT 's8'", "SELECT 's8'"),
        ("SELECT -b", "SELECT (-(b))"),
        (
            "SELECT 60 * 57 * (hour) - x NOT IN ((timestamp >= timestamp))",
            "SELECT (NOT ((((60 * 57) * \"hour\") - x) IN ((\"timestamp\" >= \"timestamp\"))))"
        ),
        ("SELECT .5", "SELECT .5"),
        ("SELECT t.a >= timestamp", "SELECT (t.a >= \"timestamp\")"),
        ("SELECT c", "SELECT c"),
        (
            "SELECT CAST(hour = -CAST(17 AS INTEGER) IS NOT NULL AS INTEGER)",
            "SELECT CAST(((\"hour\" = (-(CAST(17 AS INTEGER)))) IS NOT NULL) AS INTEGER)"
        ),
        ("SELECT x", "SELECT x"),
        ("SELECT NOT NOT t.a - hour::VARCHAR", "SELECT (NOT (NOT (t.a - CAST(\"hour\" AS VARCHAR))))"),
        ("SELECT 's6'", "SELECT 's6'"),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        (
            "SELECT -12 || t.a IN (-round(1.5, c), \"first\", -(b))",
            "SELECT ((-12 || t.a) IN ((-(round(1.5, c))), \"first\", (-(b))))"
        ),
        (
            "SELECT (45 <> hour * .5 // 9) IN (2e3 % b % 40, 77)",
            "SELECT ((45 != ((\"hour\" * .5) // 9)) IN (((2e3 % b) % 40), 77))"
        ),
        (
            "SELECT (b NOT IN (coalesce(CAST((b) AS VARCHAR)), t.a, 's8')) + hour::INTEGER < c + 's9' OR a LIKE t.a < count(*) - x",
            "SELECT ((((NOT (b IN (COALESCE(CAST(b AS VARCHAR)), t.a, 's8'))) + CAST(\"hour\" AS INTEGER)) < (c + 's9')) OR ((a ~~ t.a) < (count_star() - x)))"
        ),
        ("SELECT .5", "SELECT .5"),
        ("SELECT NOT a <> 63::INTEGER NOT LIKE t.a", "SELECT (NOT (a != (CAST(63 AS INTEGER) !~~ t.a)))"),
        ("SELECT b < .5", "SELECT (b < .5)"),
        (
            "SELECT x = 1.5 IS DISTINCT FROM 48 - t.a - hour BETWEEN abs(85, c)::INTEGER AND -t.a",
            "SELECT ((x = 1.5) IS DISTINCT FROM (((48 - t.a) - \"hour\") BETWEEN CAST(abs(85, c) AS INTEGER) AND (-(t.a))))"
        ),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT .5 OR a", "SELECT (.5 OR a)"),
        ("SELECT NOT (-timestamp) IS NOT NULL", "SELECT (NOT ((-(\"timestamp\")) IS NOT NULL))"),
        (
            "SELECT NOT sum(a) OVER (PARTITION BY CASE WHEN 's9' THEN b ELSE \"first\" END ORDER BY 1.5 DESC)::INTEGER < NOT 's8'",
            "SELECT (NOT (CAST(sum(a) OVER (PARTITION BY CASE  WHEN ('s9') THEN (b) ELSE \"first\" END ORDER BY 1.5 DESC) AS INTEGER) < (NOT 's8')))"
        ),
        ("SELECT .5 / count(*)", "SELECT (.5 / count_star())"),
        ("SELECT t.a::INTEGER - FALSE", "SELECT (CAST(t.a AS INTEGER) - false)"),
        ("SELECT x NOT BETWEEN a AND NULL", "SELECT (NOT (x BETWEEN a AND NULL))"),
        (
            "SELECT .5 || (a) || 's5'::INTEGER // TRUE BETWEEN 's3' AND 1.5 AND a NOT LIKE c / -'s8' >= 62 + b / CASE WHEN hour * 61 < 73 THEN (sum(CAST(round(7, c) AS VARCHAR)) OVER (PARTITION BY 1.5 ORDER BY (CAST(CASE WHEN 50 THEN timestamp ELSE FALSE END AS BIGINT)) DESC) + x) ELSE CAST(x AS INTEGER) * lower('s8') - .5 END",
            "SELECT ((((.5 || a) || (CAST('s5' AS INTEGER) // true)) BETWEEN 's3' AND 1.5) AND ((a !~~ (c / (-('s8')))) >= (62 + (b / CASE  WHEN (((\"hour\" * 61) < 73)) THEN ((sum(CAST(round(7, c) AS VARCHAR)) OVER (PARTITION BY 1.5 ORDER BY CAST(CASE  WHEN (50) THEN (\"timestamp\") ELSE false END AS BIGINT) DESC) + x)) ELSE ((CAST(x AS INTEGER) * lower('s8')) - .5) END))))"
        ),
        ("SELECT b", "SELECT b"),
        ("SELECT a", "SELECT a"),
        ("SELECT x", "SELECT x"),
        (
            "SELECT t.a::INTEGER NOT BETWEEN a AND timestamp >= 's1' OR round(b) + CAST(round(CAST(b AS VARCHAR)) AS BIGINT) - c - CASE WHEN a THEN .5 ELSE abs('s2') END <> round(x, CASE WHEN (c) THEN abs(round(a), 46) ELSE (\"first\") END)",
            "SELECT (((NOT (CAST(t.a AS INTEGER) BETWEEN a AND \"timestamp\")) >= 's1') OR ((((round(b) + CAST(round(CAST(b AS VARCHAR)) AS BIGINT)) - c) - CASE  WHEN (a) THEN (.5) ELSE abs('s2') END) != round(x, CASE  WHEN (c) THEN (abs(round(a), 46)) ELSE \"first\" END)))"
        ),
        ("SELECT timestamp::VARCHAR", "SELECT CAST(\"timestamp\" AS VARCHAR)"),
        ("SELECT c", "SELECT c"),
        ("SELECT \"first\"", "SELECT \"first\""),
        ("SELECT x || 's5'", "SELECT (x || 's5')"),
        ("SELECT NOT -'s3' // hour", "SELECT (NOT ((-('s3')) // \"hour\"))"),
        (
            "SELECT hour + x AND x // FALSE LIKE (a) = 's2' || t.a",
            "SELECT ((\"hour\" + x) AND (((x // false) ~~ a) = ('s2' || t.a)))"
        ),
        ("SELECT b", "SELECT b"),
        (
            "SELECT 46 % x LIKE t.a IS NULL OR hour AND NOT a OR a % coalesce(lower(b)) <> -98",
            "SELECT ((((46 % x) ~~ t.a) IS NULL) OR (\"hour\" AND (NOT a)) OR ((a % COALESCE(lower(b))) != -98))"
        ),
        ("SELECT \"first\"", "SELECT \"first\""),
        ("SELECT c", "SELECT c"),
        ("SELECT 63", "SELECT 63"),
        ("SELECT \"first\" IS NULL", "SELECT (\"first\" IS NULL)"),
        ("SELECT b", "SELECT b"),
        ("SELECT 7", "SELECT 7"),
        ("SELECT b::VARCHAR", "SELECT CAST(b AS VARCHAR)"),
        ("SELECT c", "SELECT c"),
        ("SELECT 27", "SELECT 27"),
        ("SELECT 1.5", "SELECT 1.5"),
        ("SELECT 53::VARCHAR", "SELECT CAST(53 AS VARCHAR)"),
        ("SELECT b", "SELECT b"),
        (
            "SELECT CASE WHEN abs(\"first\", 41) THEN round(\"first\", (lower(\"first\", 9))) // 53 ELSE lower(8, c) END // -3 / timestamp = a NOT IN (b < 2e3::VARCHAR // CAST(abs(x, a) AS VARCHAR) AND 44 - t.a, 94 OR x)",
            "SELECT (((CASE  WHEN (abs(\"first\", 41)) THEN ((round(\"first\", lower(\"first\", 9)) // 53)) ELSE lower(8, c) END // -3) / \"timestamp\") = (NOT (a IN (((b < (CAST(2e3 AS VARCHAR) // CAST(abs(x, a) AS VARCHAR))) AND (44 - t.a)), (94 OR x)))))"
        ),
        (
            "SELECT 1.5 NOT BETWEEN b AND x / 's2' - CAST(FALSE AS INTEGER) // \"first\" % b OR -timestamp >= ('s4') + hour || 32 NOT IN (NOT timestamp, a = CAST(56 AS VARCHAR), a)",
            "SELECT ((NOT (1.5 BETWEEN b AND ((x / 's2') - ((CAST(false AS INTEGER) // \"first\") % b)))) OR ((-(\"timestamp\")) >= (NOT ((('s4' + \"hour\") || 32) IN ((NOT \"timestamp\"), (a = CAST(56 AS VARCHAR)), a)))))"
        ),
        ("SELECT 2e3", "SELECT 2e3"),
        (
            "SELECT abs(NOT hour IS NOT NULL / \"first\", \"first\" || 88 // x IN (timestamp))",
            "SELECT abs((NOT ((\"hour\" IS NOT NULL) / \"first\")), ((\"first\" || (88 // x)) IN (\"timestamp\")))"
        ),
        (
            "SELECT -hour IS NOT NULL + round(lower(c, hour)) % t.a",
            "SELECT (((-(\"hour\")) IS NOT NULL) + (round(lower(c, \"hour\")) % t.a))"
        ),
        ("SELECT 82 * CAST(hour AS BIGINT)", "SELECT (82 * CAST(\"hour\" AS BIGINT))"),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        (
            "SELECT x // c || coalesce(abs(81) // hour % t.a AND timestamp)",
            "SELECT ((x // c) || COALESCE((((abs(81) // \"hour\") % t.a) AND \"timestamp\")))"
        ),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        ("SELECT a", "SELECT a"),
        (
            "SELECT -31 < t.a * x NOT BETWEEN 73 AND timestamp IS NOT DISTINCT FROM t.a // CAST(40 AS INTEGER)",
            "SELECT ((-31 < (NOT ((t.a * x) BETWEEN 73 AND \"timestamp\"))) IS NOT DISTINCT FROM (t.a // CAST(40 AS INTEGER)))"
        ),
        ("SELECT hour", "SELECT \"hour\""),
        (
            "SELECT count(*) % 89 - t.a NOT BETWEEN timestamp % CASE WHEN \"first\" THEN ((91)) ELSE 47 END / a * t.a AND 53",
            "SELECT (NOT (((count_star() % 89) - t.a) BETWEEN (((\"timestamp\" % CASE  WHEN (\"first\") THEN (91) ELSE 47 END) / a) * t.a) AND 53))"
        ),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        ("SELECT c IS NOT DISTINCT FROM a", "SELECT (c IS NOT DISTINCT FROM a)"),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        (
            "SELECT NOT t.a // b::INTEGER AND CASE WHEN timestamp THEN CAST(timestamp AS VARCHAR) ELSE timestamp END IS NOT DISTINCT FROM 2e3",
            "SELECT ((NOT (t.a // CAST(b AS INTEGER))) AND (CASE  WHEN (\"timestamp\") THEN (CAST(\"timestamp\" AS VARCHAR)) ELSE \"timestamp\" END IS NOT DISTINCT FROM 2e3))"
        ),
        ("SELECT timestamp OR 1.5", "SELECT (\"timestamp\" OR 1.5)"),
        (
            "SELECT NOT NULL IS DISTINCT FROM sum(CASE WHEN hour THEN count(*) ELSE lower(FALSE, x) END // (b)) OVER (PARTITION BY NOT (timestamp) ORDER BY 55 AND timestamp DESC) / hour",
            "SELECT (NOT (NULL IS DISTINCT FROM (sum((CASE  WHEN (\"hour\") THEN (count_star()) ELSE lower(false, x) END // b)) OVER (PARTITION BY (NOT \"timestamp\") ORDER BY (55 AND \"timestamp\") DESC) / \"hour\")))"
        ),
        ("SELECT .5", "SELECT .5"),
        ("SELECT 's8'", "SELECT 's8'"),
        ("SELECT a OR hour >= TRUE LIKE 's8'", "SELECT (a OR (\"hour\" >= (true ~~ 's8')))"),
        ("SELECT b", "SELECT b"),
        ("SELECT NOT NOT count(*) - b IS NULL", "SELECT (NOT (NOT ((count_star() - b) IS NULL)))"),
        ("SELECT hour::VARCHAR >= 83", "SELECT (CAST(\"hour\" AS VARCHAR) >= 83)"),
        ("SELECT NULL", "SELECT NULL"),
        ("SELECT 1.5", "SELECT 1.5"),
        ("SELECT 's3'", "SELECT 's3'"),
        ("SELECT .5", "SELECT .5"),
        ("SELECT NULL - timestamp", "SELECT (NULL - \"timestamp\")"),
        ("SELECT b", "SELECT b"),
        (
            "SELECT c OR b IS NOT DISTINCT FROM -(hour) % 83",
            "SELECT (c OR (b IS NOT DISTINCT FROM ((-(\"hour\")) % 83)))"
        ),
        (
            "SELECT NOT t.a NOT IN (NOT hour OR round((\"first\"), a) >= 2e3)",
            "SELECT (NOT (NOT (t.a IN (((NOT \"hour\") OR (round(\"first\", a) >= 2e3))))))"
        ),
        ("SELECT 83 >= a", "SELECT (83 >= a)"),
        (
            "SELECT NOT NOT sum(abs(b)) OVER (PARTITION BY (CAST(26 AS DOUBLE)) ORDER BY \"first\" DESC) IS NOT DISTINCT FROM x IS NOT NULL",
            "SELECT (NOT (NOT ((sum(abs(b)) OVER (PARTITION BY CAST(26 AS DOUBLE) ORDER BY \"first\" DESC) IS NOT DISTINCT FROM x) IS NOT NULL)))"
        ),
        ("SELECT x", "SELECT x"),
        ("SELECT \"first\" IS NOT DISTINCT FROM hour", "SELECT (\"first\" IS NOT DISTINCT FROM \"hour\")"),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        ("SELECT \"first\"", "SELECT \"first\""),
        ("SELECT t.a", "SELECT t.a"),
        ("SELECT 57", "SELECT 57"),
        (
            "SELECT 's8' / x AND t.a IS NOT DISTINCT FROM b || 1.5 AND CASE WHEN timestamp THEN 's8' ELSE 25 END // 39 // \"first\"",
            "SELECT (('s8' / x) AND (t.a IS NOT DISTINCT FROM (b || 1.5)) AND ((CASE  WHEN (\"timestamp\") THEN ('s8') ELSE 25 END // 39) // \"first\"))"
        ),
        (
            "SELECT abs(a < \"first\" LIKE a // timestamp AND a IS NOT NULL)",
            "SELECT abs(((a < (\"first\" ~~ (a // \"timestamp\"))) AND (a IS NOT NULL)))"
        ),
        ("SELECT 's6'", "SELECT 's6'"),
        ("SELECT c", "SELECT c"),
        ("SELECT (timestamp)", "SELECT \"timestamp\""),
        ("SELECT \"first\"", "SELECT \"first\""),
        ("SELECT t.a", "SELECT t.a"),
        ("SELECT 97", "SELECT 97"),
        ("SELECT NOT 54", "SELECT (NOT 54)"),
        ("SELECT x || c / 96", "SELECT (x || (c / 96))"),
        (
            "SELECT a * (37) NOT IN ('s4') NOT BETWEEN hour AND x + 53 >= (a) || c OR t.a OR \"first\"",
            "SELECT (((NOT ((NOT ((a * 37) IN ('s4'))) BETWEEN \"hour\" AND (x + 53))) >= (a || c)) OR t.a OR \"first\")"
        ),
        ("SELECT FALSE BETWEEN a AND 83", "SELECT (false BETWEEN a AND 83)"),
        (
            "SELECT sum(-round(b, b) <> t.a) OVER (PARTITION BY round(8 BETWEEN \"first\" AND hour) ORDER BY 's2' % b IS NOT DISTINCT FROM count(*) DESC) IN (c, b)",
            "SELECT (sum(((-(round(b, b))) != t.a)) OVER (PARTITION BY round((8 BETWEEN \"first\" AND \"hour\")) ORDER BY (('s2' % b) IS NOT DISTINCT FROM count_star()) DESC) IN (c, b))"
        ),
        ("SELECT 1.5 // c NOT IN ('s7' * (.5)) IS NULL", "SELECT ((NOT ((1.5 // c) IN (('s7' * .5)))) IS NULL)"),
        ("SELECT 37", "SELECT 37"),
        ("SELECT 9 NOT LIKE x OR -b % (\"first\") < x", "SELECT ((9 !~~ x) OR (((-(b)) % \"first\") < x))"),
        ("SELECT CAST(a AS DOUBLE)", "SELECT CAST(a AS DOUBLE)"),
        ("SELECT b", "SELECT b"),
        (
            "SELECT (CAST(\"first\" AS BIGINT)) * 2e3 AND b::INTEGER OR \"first\" % -timestamp * 49 OR a || abs(round(timestamp // a, sum(sum(hour) OVER (PARTITION BY 77 ORDER BY c DESC)) OVER (PARTITION BY 72 ORDER BY hour DESC) >= 1), hour)",
            "SELECT (((CAST(\"first\" AS BIGINT) * 2e3) AND CAST(b AS INTEGER)) OR ((\"first\" % (-(\"timestamp\"))) * 49) OR (a || abs(round((\"timestamp\" // a), (sum(sum(\"hour\") OVER (PARTITION BY 77 ORDER BY c DESC)) OVER (PARTITION BY 72 ORDER BY \"hour\" DESC) >= 1)), \"hour\")))"
        ),
        ("SELECT -CAST(count(*) AS BIGINT)", "SELECT (-(CAST(count_star() AS BIGINT)))"),
        ("SELECT 2e3 - 81", "SELECT (2e3 - 81)"),
        (
            "SELECT a OR -'s4' = hour % \"first\" OR 15 / timestamp + TRUE",
            "SELECT (a OR ((-('s4')) = (\"hour\" % \"first\")) OR ((15 / \"timestamp\") + true))"
        ),
        ("SELECT 1", "SELECT 1"),
        ("SELECT FALSE", "SELECT false"),
        (
            "SELECT round(1.5 = sum(x) OVER (PARTITION BY (37) ORDER BY b DESC) + hour * hour - CASE WHEN (a) THEN 1.5 ELSE b END IS NULL, a || CASE WHEN 98 THEN 93 ELSE c END IS NULL || 1.5 = 1.5 NOT LIKE c)",
            "SELECT round(((1.5 = ((sum(x) OVER (PARTITION BY 37 ORDER BY b DESC) + (\"hour\" * \"hour\")) - CASE  WHEN (a) THEN (1.5) ELSE b END)) IS NULL), ((((a || CASE  WHEN (98) THEN (93) ELSE c END) IS NULL) || 1.5) = (1.5 !~~ c)))"
        ),
        ("SELECT c", "SELECT c"),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT 28 % c", "SELECT (28 % c)"),
        (
            "SELECT t.a - t.a IS NOT NULL OR x <> sum(\"first\") OVER (PARTITION BY c ORDER BY 33 DESC) IS NULL",
            "SELECT (((t.a - t.a) IS NOT NULL) OR ((x != sum(\"first\") OVER (PARTITION BY c ORDER BY 33 DESC)) IS NULL))"
        ),
        ("SELECT -a", "SELECT (-(a))"),
        (
            "SELECT CASE WHEN (x // NULL) IN (.5 IS NOT NULL <> b BETWEEN count(*) AND c) THEN 80::VARCHAR = \"first\" // t.a IS NULL ELSE 94 END",
            "SELECT CASE  WHEN (((x // NULL) IN (((.5 IS NOT NULL) != (b BETWEEN count_star() AND c))))) THEN (((CAST(80 AS VARCHAR) = (\"first\" // t.a)) IS NULL)) ELSE 94 END"
        ),
        ("SELECT x", "SELECT x"),
        (
            "SELECT c + c < -(CASE WHEN (a) THEN 's5' ELSE timestamp END) - t.a",
            "SELECT ((c + c) < ((-(CASE  WHEN (a) THEN ('s5') ELSE \"timestamp\" END)) - t.a))"
        ),
        ("SELECT 92", "SELECT 92"),
        ("SELECT .5", "SELECT .5"),
        (
            "SELECT hour // CAST(b AS VARCHAR) IS NULL OR lower(.5, 42) OR count(*) <> coalesce(a, c) OR \"first\" LIKE 's2'",
            "SELECT (((\"hour\" // CAST(b AS VARCHAR)) IS NULL) OR lower(.5, 42) OR (count_star() != COALESCE(a, c)) OR (\"first\" ~~ 's2'))"
        ),
        ("SELECT x", "SELECT x"),
        ("SELECT 's7'", "SELECT 's7'"),
        ("SELECT t.a", "SELECT t.a"),
        ("SELECT t.a", "SELECT t.a"),
        (
            "SELECT 74 % NULL >= c / a || FALSE || .5 % b || \"first\" + 55 / -timestamp * CAST(c AS DOUBLE)",
            "SELECT ((74 % NULL) >= ((((c / a) || false) || (.5 % b)) || (\"first\" + ((55 / (-(\"timestamp\"))) * CAST(c AS DOUBLE)))))"
        ),
        (
            "SELECT (sum(31) OVER (PARTITION BY FALSE ORDER BY t.a DESC) * c) * c LIKE x = t.a OR 6 || hour <> \"first\" IS NULL AND count(*)",
            "SELECT (((((sum(31) OVER (PARTITION BY false ORDER BY t.a DESC) * c) * c) ~~ x) = t.a) OR ((((6 || \"hour\") != \"first\") IS NULL) AND count_star()))"
        ),
        ("SELECT b", "SELECT b"),
        (
            "SELECT 43 OR c = hour OR coalesce(c, \"first\") IS NULL",
            "SELECT (43 OR (c = \"hour\") OR (COALESCE(c, \"first\") IS NULL))"
        ),
        ("SELECT 79::INTEGER NOT LIKE 26 % 47 IS NULL", "SELECT ((CAST(79 AS INTEGER) !~~ (26 % 47)) IS NULL)"),
        ("SELECT t.a::VARCHAR", "SELECT CAST(t.a AS VARCHAR)"),
        ("SELECT TRUE", "SELECT true"),
        ("SELECT abs(\"first\" <> a IS NULL)::INTEGER", "SELECT CAST(abs(((\"first\" != a) IS NULL)) AS INTEGER)"),
        ("SELECT 90", "SELECT 90"),
        ("SELECT -t.a", "SELECT (-(t.a))"),
        ("SELECT 59", "SELECT 59"),
        (
            "SELECT 's9' LIKE (count(*)) >= NOT t.a // NULL LIKE CASE WHEN t.a THEN 69 ELSE CAST(a AS DOUBLE) END % (78) IS NOT DISTINCT FROM a",
            "SELECT (('s9' ~~ count_star()) >= (NOT (((t.a // NULL) ~~ (CASE  WHEN (t.a) THEN (69) ELSE CAST(a AS DOUBLE) END % 78)) IS NOT DISTINCT FROM a)))"
        ),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT 28", "SELECT 28"),
        ("SELECT x", "SELECT x"),
        (
            "SELECT lower(c = hour IS NULL, NOT x >= (a)) IS DISTINCT FROM x",
            "SELECT (lower(((c = \"hour\") IS NULL), (NOT (x >= a))) IS DISTINCT FROM x)"
        ),
        (
            "SELECT -c || a = coalesce(a) || -54 NOT BETWEEN 61::VARCHAR AND 2e3::VARCHAR",
            "SELECT (((-(c)) || a) = (NOT ((COALESCE(a) || -54) BETWEEN CAST(61 AS VARCHAR) AND CAST(2e3 AS VARCHAR))))"
        ),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        (
            "SELECT b < c IS NULL IS DISTINCT FROM timestamp // timestamp LIKE t.a IS NULL",
            "SELECT ((((b < c) IS NULL) IS DISTINCT FROM ((\"timestamp\" // \"timestamp\") ~~ t.a)) IS NULL)"
        ),
        (
            "SELECT NOT 24 || b IS NOT DISTINCT FROM 17 + c * a OR CAST(2e3 AS INTEGER) < c OR c IS NOT NULL",
            "SELECT ((NOT ((24 || b) IS NOT DISTINCT FROM (17 + (c * a)))) OR (CAST(2e3 AS INTEGER) < c) OR (c IS NOT NULL))"
        ),
        ("SELECT NOT c", "SELECT (NOT c)"),
        (
            "SELECT 30 < 84 OR sum((b)) OVER (PARTITION BY count(*) ORDER BY timestamp DESC) % 2e3 / CAST(NOT CASE WHEN c THEN t.a ELSE b END AS VARCHAR) IS NOT NULL",
            "SELECT ((30 < 84) OR (((sum(b) OVER (PARTITION BY count_star() ORDER BY \"timestamp\" DESC) % 2e3) / CAST((NOT CASE  WHEN (c) THEN (t.a) ELSE b END) AS VARCHAR)) IS NOT NULL))"
        ),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        ("SELECT 68", "SELECT 68"),
        ("SELECT 2e3", "SELECT 2e3"),
        ("SELECT 37", "SELECT 37"),
        (
            "SELECT (-(.5)) || CASE WHEN timestamp BETWEEN FALSE AND (t.a) / CASE WHEN 's5' THEN CASE WHEN (89) THEN 56 ELSE \"first\" END ELSE a END >= -x THEN x NOT LIKE c < 's7' * 28 ELSE c::VARCHAR END // t.a",
            "SELECT (-.5 || (CASE  WHEN (((\"timestamp\" BETWEEN false AND (t.a / CASE  WHEN ('s5') THEN (CASE  WHEN (89) THEN (56) ELSE \"first\" END) ELSE a END)) >= (-(x)))) THEN (((x !~~ c) < ('s7' * 28))) ELSE CAST(c AS VARCHAR) END // t.a))"
        ),
        (
            "SELECT t.a::VARCHAR >= NOT 11 BETWEEN CASE WHEN timestamp THEN 's4' ELSE b END AND CAST(hour AS DOUBLE)::VARCHAR",
            "SELECT (CAST(t.a AS VARCHAR) >= (NOT (11 BETWEEN CASE  WHEN (\"timestamp\") THEN ('s4') ELSE b END AND CAST(CAST(\"hour\" AS DOUBLE) AS VARCHAR))))"
        ),
        (
            "SELECT -'s2' // 19 = NOT hour IS DISTINCT FROM CASE WHEN t.a AND CASE WHEN a THEN timestamp ELSE \"first\" END BETWEEN hour AND 1.5 THEN -19 <> a ELSE 's6' END",
            "SELECT (((-('s2')) // 19) = (NOT (\"hour\" IS DISTINCT FROM CASE  WHEN ((t.a AND (CASE  WHEN (a) THEN (\"timestamp\") ELSE \"first\" END BETWEEN \"hour\" AND 1.5))) THEN ((-19 != a)) ELSE 's6' END)))"
        ),
        ("SELECT 68 || 's0'", "SELECT (68 || 's0')"),
        ("SELECT 40", "SELECT 40"),
        ("SELECT a", "SELECT a"),
        ("SELECT x", "SELECT x"),
        ("SELECT ((CAST(92 LIKE x AS VARCHAR)))", "SELECT CAST((92 ~~ x) AS VARCHAR)"),
        ("SELECT hour", "SELECT \"hour\""),
        (
            "SELECT CASE WHEN -t.a = .5 THEN 2e3 NOT LIKE c // c * b AND TRUE ELSE abs(coalesce(x, coalesce(CAST(x AS DOUBLE)))) || timestamp < lower(b, CAST(a AS INTEGER)) * sum(71) OVER (PARTITION BY FALSE ORDER BY a DESC) || 99 END // 's2' / count(*) + (round(count(*))) IN ('s0', timestamp) <> t.a - b IS NOT NULL",
            "SELECT ((((((CASE  WHEN (((-(t.a)) = .5)) THEN (((2e3 !~~ ((c // c) * b)) AND true)) ELSE ((abs(COALESCE(x, COALESCE(CAST(x AS DOUBLE)))) || \"timestamp\") < ((lower(b, CAST(a AS INTEGER)) * sum(71) OVER (PARTITION BY false ORDER BY a DESC)) || 99)) END // 's2') / count_star()) + round(count_star())) IN ('s0', \"timestamp\")) != (t.a - b)) IS NOT NULL)"
        ),
        ("SELECT (x + .5 % (a))", "SELECT (x + (.5 % a))"),
        ("SELECT TRUE IS NOT NULL AND x", "SELECT ((true IS NOT NULL) AND x)"),
        ("SELECT 1.5", "SELECT 1.5"),
        ("SELECT a", "SELECT a"),
        ("SELECT b", "SELECT b"),
        ("SELECT \"first\"::VARCHAR", "SELECT CAST(\"first\" AS VARCHAR)"),
        ("SELECT -\"first\" || a IS NULL", "SELECT (((-(\"first\")) || a) IS NULL)"),
        (
            "SELECT coalesce(b) >= CAST('s7' NOT IN (coalesce(x, timestamp), t.a = 41, \"first\" BETWEEN c AND 54) AS DOUBLE) - timestamp",
            "SELECT (COALESCE(b) >= (CAST((NOT ('s7' IN (COALESCE(x, \"timestamp\"), (t.a = 41), (\"first\" BETWEEN c AND 54)))) AS DOUBLE) - \"timestamp\"))"
        ),
        ("SELECT hour", "SELECT \"hour\""),
        ("SELECT 68 >= timestamp LIKE 5 IS NULL", "SELECT ((68 >= (\"timestamp\" ~~ 5)) IS NULL)"),
        ("SELECT hour", "SELECT \"hour\""),
        (
            "SELECT t.a AND NOT (hour) BETWEEN timestamp AND sum(c) OVER (PARTITION BY 87 ORDER BY 's8' DESC) - c OR c",
            "SELECT ((t.a AND (NOT (\"hour\" BETWEEN \"timestamp\" AND (sum(c) OVER (PARTITION BY 87 ORDER BY 's8' DESC) - c)))) OR c)"
        ),
        ("SELECT 69", "SELECT 69"),
        ("SELECT 's8' = NOT hour <> NULL", "SELECT ('s8' = (NOT (\"hour\" != NULL)))"),
        (
            "SELECT sum(NOT b < b IS NOT DISTINCT FROM 77 / 37::VARCHAR < 37 OR x NOT BETWEEN 77 AND b) OVER (PARTITION BY CAST(c || x - (68) / -lower(2) - x <> t.a AS BIGINT) ORDER BY a DESC)",
            "SELECT sum(((NOT ((b < b) IS NOT DISTINCT FROM ((77 / CAST(37 AS VARCHAR)) < 37))) OR (NOT (x BETWEEN 77 AND b)))) OVER (PARTITION BY CAST(((c || ((x - (68 / (-(lower(2))))) - x)) != t.a) AS BIGINT) ORDER BY a DESC)"
        ),
        ("SELECT t.a NOT LIKE 92", "SELECT (t.a !~~ 92)"),
        ("SELECT (56)", "SELECT 56"),
        (
            "SELECT NOT a IS NOT DISTINCT FROM 63 <> CAST(2e3 AS BIGINT) NOT LIKE -67::VARCHAR + CAST(t.a || t.a AS BIGINT)",
            "SELECT (NOT (a IS NOT DISTINCT FROM (63 != (CAST(2e3 AS BIGINT) !~~ ((-(CAST(67 AS VARCHAR))) + CAST((t.a || t.a) AS BIGINT))))))"
        ),
        ("SELECT 1.5 IS NULL", "SELECT (1.5 IS NULL)"),
        (
            "SELECT -hour IN (abs(-TRUE * timestamp <> \"first\"), CAST(count(*) AS DOUBLE) IS NOT DISTINCT FROM t.a NOT IN (CASE WHEN .5 THEN 's0' ELSE timestamp END <> CASE WHEN c THEN 80 ELSE x END OR 82 <> a, NOT t.a NOT BETWEEN round(t.a) AND \"first\", \"first\"))",
            "SELECT ((-(\"hour\")) IN (abs((((-(true)) * \"timestamp\") != \"first\")), (CAST(count_star() AS DOUBLE) IS NOT DISTINCT FROM (NOT (t.a IN (((CASE  WHEN (.5) THEN ('s0') ELSE \"timestamp\" END != CASE  WHEN (c) THEN (80) ELSE x END) OR (82 != a)), (NOT (NOT (t.a BETWEEN round(t.a) AND \"first\"))), \"first\"))))))"
        ),
        ("SELECT 1.5", "SELECT 1.5"),
        ("SELECT NOT FALSE < (NOT a || 49)", "SELECT (NOT (false < (NOT (a || 49))))"),
        (
            "SELECT 30 * a || CAST(round(23)::INTEGER AS INTEGER)",
            "SELECT ((30 * a) || CAST(CAST(round(23) AS INTEGER) AS INTEGER))"
        ),
        (
            "SELECT 's0' // t.a NOT IN (t.a, b, NOT x || round('s8', abs((CAST(1.5 AS DOUBLE)))) NOT LIKE round(a OR 's0'))",
            "SELECT (NOT (('s0' // t.a) IN (t.a, b, (NOT ((x || round('s8', abs(CAST(1.5 AS DOUBLE)))) !~~ round((a OR 's0')))))))"
        ),
        ("SELECT -round(b >= 25)", "SELECT (-(round((b >= 25))))"),
        ("SELECT .5", "SELECT .5"),
        (
            "SELECT 's5'::VARCHAR / CASE WHEN sum(timestamp) OVER (PARTITION BY x ORDER BY 7 DESC) THEN 12 ELSE 99 END >= NOT \"first\" <> \"first\" - -49 LIKE c",
            "SELECT ((CAST('s5' AS VARCHAR) / CASE  WHEN (sum(\"timestamp\") OVER (PARTITION BY x ORDER BY 7 DESC)) THEN (12) ELSE 99 END) >= (NOT (\"first\" != ((\"first\" - -49) ~~ c))))"
        ),
        ("SELECT hour", "SELECT \"hour\""),
        (
            "SELECT abs(b AND a % 6 >= hour) || CAST('s6' IN (t.a, t.a, 1.5) AS VARCHAR) < c AND (2e3) NOT LIKE hour OR b",
            "SELECT ((((abs((b AND ((a % 6) >= \"hour\"))) || CAST(('s6' IN (t.a, t.a, 1.5)) AS VARCHAR)) < c) AND (2e3 !~~ \"hour\")) OR b)"
        ),
        ("SELECT 2", "SELECT 2"),
        (
            "SELECT CAST(t.a OR FALSE // 89 // timestamp + 55 AND 1.5 IN (3 OR c) AS DOUBLE)",
            "SELECT CAST((t.a OR ((((false // 89) // \"timestamp\") + 55) AND (1.5 IN ((3 OR c))))) AS DOUBLE)"
        ),
        (
            "SELECT x NOT LIKE -CASE WHEN count(*) THEN CASE WHEN t.a THEN CAST(50 AS DOUBLE) ELSE timestamp END ELSE lower(hour) END IS DISTINCT FROM CASE WHEN 76 THEN x = 88 - b NOT BETWEEN (a) AND x ELSE sum(coalesce(\"first\")) OVER (PARTITION BY hour ORDER BY (timestamp) DESC) || 89 IN (timestamp, \"first\" OR CASE WHEN 1.5 THEN b ELSE a END) END",
            "SELECT ((x !~~ (-(CASE  WHEN (count_star()) THEN (CASE  WHEN (t.a) THEN (CAST(50 AS DOUBLE)) ELSE \"timestamp\" END) ELSE lower(\"hour\") END))) IS DISTINCT FROM CASE  WHEN (76) THEN ((x = (NOT ((88 - b) BETWEEN a AND x)))) ELSE ((sum(COALESCE(\"first\")) OVER (PARTITION BY \"hour\" ORDER BY \"timestamp\" DESC) || 89) IN (\"timestamp\", (\"first\" OR CASE  WHEN (1.5) THEN (b) ELSE a END))) END)"
        ),
        ("SELECT hour * \"first\"", "SELECT (\"hour\" * \"first\")"),
        ("SELECT -(-hour::VARCHAR)", "SELECT (-((-(CAST(\"hour\" AS VARCHAR)))))"),
        ("SELECT t.a", "SELECT t.a"),
        ("SELECT b", "SELECT b"),
        ("SELECT 's3' - -a <> a * lower('s7', TRUE)", "SELECT (('s3' - (-(a))) != (a * lower('s7', true)))"),
        ("SELECT NULL", "SELECT NULL"),
        ("SELECT -72", "SELECT -72"),
        (
            "SELECT t.a::INTEGER || round(2e3, \"first\") NOT LIKE 20 IS NULL IS NOT NULL",
            "SELECT ((((CAST(t.a AS INTEGER) || round(2e3, \"first\")) !~~ 20) IS NULL) IS NOT NULL)"
        ),
        (
            "SELECT -66 LIKE c <> coalesce(CASE WHEN 's6' THEN .5 ELSE CAST(timestamp AS INTEGER) END, CASE WHEN (t.a) THEN 87 ELSE t.a END) BETWEEN 94 AND CASE WHEN c THEN (abs(\"first\", 's7')) ELSE a END + 's9' AND sum(timestamp) OVER (PARTITION BY TRUE ORDER BY timestamp DESC) IS DISTINCT FROM x AND x || hour NOT LIKE 's6'",
            "SELECT (((-66 ~~ c) != (COALESCE(CASE  WHEN ('s6') THEN (.5) ELSE CAST(\"timestamp\" AS INTEGER) END, CASE  WHEN (t.a) THEN (87) ELSE t.a END) BETWEEN 94 AND (CASE  WHEN (c) THEN (abs(\"first\", 's7')) ELSE a END + 's9'))) AND (sum(\"timestamp\") OVER (PARTITION BY true ORDER BY \"timestamp\" DESC) IS DISTINCT FROM x) AND ((x || \"hour\") !~~ 's6'))"
        ),
        ("SELECT x", "SELECT x"),
        (
            "SELECT CAST(sum(b NOT BETWEEN 93 AND 29) OVER (PARTITION BY 73 ORDER BY b::VARCHAR DESC) * (CAST(NULL AS INTEGER)) <> t.a OR a * t.a AS DOUBLE)",
            "SELECT CAST((((sum((NOT (b BETWEEN 93 AND 29))) OVER (PARTITION BY 73 ORDER BY CAST(b AS VARCHAR) DESC) * CAST(NULL AS INTEGER)) != t.a) OR (a * t.a)) AS DOUBLE)"
        ),
        ("SELECT a", "SELECT a"),
        (
            "SELECT NOT round(\"first\", timestamp) % -NULL // (\"first\") || timestamp < (hour) NOT LIKE 's5' % -(t.a <> c)",
            "SELECT (NOT ((((round(\"first\", \"timestamp\") % (-(NULL))) // \"first\") || \"timestamp\") < (\"hour\" !~~ ('s5' % (-((t.a != c)))))))"
        ),
        ("SELECT t.a", "SELECT t.a"),
        ("SELECT NOT a", "SELECT (NOT a)"),
        ("SELECT 38", "SELECT 38"),
        ("SELECT CAST('s3' AS INTEGER)", "SELECT CAST('s3' AS INTEGER)"),
        ("SELECT 's7'", "SELECT 's7'"),
        ("SELECT timestamp", "SELECT \"timestamp\""),
        (
            "SELECT lower(NOT c <> c || count(*) NOT BETWEEN b AND CASE WHEN round(75) THEN timestamp ELSE (CAST('s0' AS VARCHAR)) END)",
            "SELECT lower((NOT (c != (NOT ((c || count_star()) BETWEEN b AND CASE  WHEN (round(75)) THEN (\"timestamp\") ELSE CAST('s0' AS VARCHAR) END)))))"
        ),
        ("SELECT x", "SELECT x"),
        ("SELECT t.a % 40 + (b % t.a::INTEGER)", "SELECT ((t.a % 40) + (b % CAST(t.a AS INTEGER)))"),
    ]
}
