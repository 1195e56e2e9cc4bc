// Three test collections at a time on two cores: most of this suite waits (holds, probes, Lease watches, payloads in
// namespaces), and with two at a time CI used about a quarter of its CPU while its wall time neared the 10-minute limit.
[assembly: CollectionBehavior(MaxParallelThreads = 3)]
