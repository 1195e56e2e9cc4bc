// Five test collections at a time on two cores: most of this suite waits (holds, probes, Lease watches, payloads in
// namespaces). With three, this assembly took 5.1 min of an 8.6 min CI run; with five it takes 3.2 min here, and all
// of it passed beside stress-ng --cpu 6 (load 11-13) in 4.8 min.
[assembly: CollectionBehavior(MaxParallelThreads = 5)]
