import time
from kombu import Connection, Exchange, Queue
from hub.brokers import Brokers, BrokerOptions
from hub.publisher import Publisher, Outgoing
URL = "amqp://guest:guest@127.0.0.1:5672//"
ex = Exchange("zz-pubcost", type="direct", durable=False)
q = Queue("zz-pubcost", ex, routing_key="k", durable=False, queue_arguments={"x-max-length": 1000})
def run(conn, n=20000):
    with conn:
        q(conn.channel()).declare()
        p = Publisher(conn)
        msgs = [Outgoing(ex, "k", b"x" * 2000) for _ in range(250)]
        t = time.process_time()
        for _ in range(n // 250):
            p.publish(msgs)
        return (time.process_time() - t) / n * 1e6
res = {"plain": [], "brokers": []}
for _ in range(5):
    res["plain"].append(run(Connection(URL)))
    res["brokers"].append(run(Brokers(URL, BrokerOptions()).connect()))
print({k: [round(v, 1) for v in vs] for k, vs in res.items()}, "µs CPU per published message")
with Connection(URL) as c:
    c.channel().queue_delete("zz-pubcost"); c.channel().exchange_delete("zz-pubcost")
