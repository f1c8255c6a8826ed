"""`lvscc watch`: recompile a config when it or an include changes, and re-audit the live
host when the kernel says something changed (netlink: addresses, nftables) or, for IPVS,
which says nothing, on a timer. Sources (inotify, netlink), the steps (compile, audit), the
pure state → event / metrics functions, the views, and the thin loop that ties them."""
