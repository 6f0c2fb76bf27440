/// KuaiLive CSV text for tests: the header lines of the tables (../shared/kuailive/README.md),
/// one real `user` row, and a generated click.csv.
public enum KuaiLiveCSV {
    public static let like = "user_id,live_id,streamer_id,timestamp\n"
    public static let click = "user_id,live_id,streamer_id,timestamp,watch_live_time\n"
    public static let room =
        "p_date,live_id,streamer_id,live_type,start_timestamp,end_timestamp,live_content_category,live_name_id\n"
    public static let user =
        "user_id,age,gender,country,device_brand,device_price,reg_timestamp,fans_num,follow_num,first_watch_live_timestamp,accu_watch_live_cnt,accu_watch_live_duration,is_live_streamer,is_photo_author,onehot_feat0,onehot_feat1,onehot_feat2,onehot_feat3,onehot_feat4,onehot_feat5,onehot_feat6\n"
    public static let userRow =
        "22733,18-23,M,China,DESKTOP,0,2023-05-03,0-10,10-100,2023-05-03,0-50000,0-1000000000,0,0,0,0,0,0,0,0,0\n"

    /// A click.csv of `rows` rows (deterministic, pseudo-random ids and times), about 42 bytes a row.
    public static func click(rows: Int, seed: UInt64 = 1) -> [UInt8] {
        let header = Array(click.utf8)
        let capacity = header.count + rows * 56
        return [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
            var n = 0
            for b in header {
                buf[n] = b
                n += 1
            }
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            func put(_ v: Int64, _ sep: UInt8) {
                withUnsafeMutableBytes(of: &digits) { d in
                    var x = v
                    var k = 0
                    repeat {
                        d[k] = UInt8(48 + x % 10)
                        x /= 10
                        k += 1
                    } while x > 0
                    while k > 0 {
                        k -= 1
                        buf[n] = d[k]
                        n += 1
                    }
                }
                buf[n] = sep
                n += 1
            }
            var state = seed
            var t: Int64 = 1_746_374_400_022
            for i in 0..<rows {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let r = Int64(bitPattern: state >> 1)
                put(Int64(i % 24_000) + 1, 44)
                put(r % 12_000_000, 44)
                put((r >> 20) % 450_000, 44)
                t += (r >> 40) % 50
                put(t, 44)
                put((r >> 8) % 7_200_000, 10)
            }
            count = n
        }
    }
}
