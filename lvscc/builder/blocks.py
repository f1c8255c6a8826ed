"""What the cluster and its services both hold: real-server lines and `forwarding` blocks.
Each grammar rule is read by the method of its name; options are applied one by one to a
frozen value with dataclasses.replace."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, TypeVar

from lark import Token, Tree

from lvscc.builder.values import BAD_RANGE, Builder, keyword, plain_ipv4
from lvscc.model.config import (
    DEFAULT_WEIGHT, ArpMethod, Forwarding, IPAddress, Method, Pool, RealServer, Tunnel, TunnelType,
)
from lvscc.model.span import Span
from lvscc.parse import args

MAX_RANGE = 4096

Value = TypeVar("Value")


def external(value: Tree | Token) -> bool:
    """`external` in place of an address: managed elsewhere, not by lvscc."""
    return isinstance(value, Tree) and value.data == "external"


@dataclass
class BlockBuilder(Builder):
    pools: dict[str, Pool] = field(default_factory=dict)

    def options(self, scope: str, options: Iterable[Tree], value: Value) -> Value:
        """Apply each option of a block through the method named after its rule; an option
        given twice in `scope` is reported and skipped."""
        for opt in options:
            if self.once(scope, opt):
                apply: Callable[[Tree, Value], Value] = getattr(self, opt.data)
                value = apply(opt, value)
        return value

    # ---- real servers ------------------------------------------------------------------
    def server(self, node: Tree, pool: str | None) -> list[RealServer]:
        # The hot path of a big config, one call per server line: the grammar fixes the places
        # of `server NAME ADDRESS option*` among the kept tokens, so no filtering by args().
        keyword_token, name, addr_token, *options = node.children
        parsed = None
        port = None
        address: IPAddress | None = plain_ipv4(str(addr_token))  # the common case: nothing written around it to check
        if address is None:
            parsed = self.address(addr_token, port=True, range_=True)
            if parsed is None:
                return []
            address, port = parsed.address, parsed.port
        spans: dict[str, Span] = {"address": self.tokens_span(addr_token, addr_token)}
        numbers: dict[str, int] = {}  # port, weight, upper, lower
        method, active = None, True
        for opt in options:
            key = opt.data[3:]  # rs_weight -> weight
            children = opt.children
            if key == "method":  # the one option that is a rule, not a keyword token
                spans[key] = self.span(opt)
                method = Method(keyword(children[0]))
                continue
            spans[key] = self.tokens_span(children[0], children[-1])
            if key == "inactive":
                active = False
                continue
            number = self.integer(children[1])  # `port N`, `weight N`, ...: the keyword, then the number
            if number is not None:
                numbers[key] = number
        # The line ends where its last option does, whose span was just recorded under its key.
        last = spans[options[-1].data[3:]] if options else spans["address"]
        span = Span(self.file, keyword_token.line or 0, keyword_token.column or 0, last.end_line, last.end_column)
        base = RealServer(str(name), address, numbers.get("port", port), numbers.get("weight", DEFAULT_WEIGHT),
                          numbers.get("upper", 0), numbers.get("lower", 0), active, method, pool, span, spans)
        if parsed is None or parsed.last is None:
            return [base]
        addresses = self.expand_range(parsed.address, parsed.last, addr_token)
        if len(addresses) == 1:
            return [base]
        return [replace(base, name=f"{name}{i}", address=a) for i, a in enumerate(addresses, 1)]

    def expand_range(self, start: IPAddress, end: IPAddress, token: Token) -> list[IPAddress]:
        first, last = int(start), int(end)
        if end.version != start.version or last < first:
            self.fail(BAD_RANGE, f"`{token}` is not an ascending address range", token)
            return []
        if last - first >= MAX_RANGE:
            self.fail(BAD_RANGE, f"`{token}` spans {last - first + 1} addresses", token,
                      f"a range may hold at most {MAX_RANGE} servers")
            return []
        return [type(start)(i) for i in range(first, last + 1)]

    # ---- forwarding ----------------------------------------------------------------------
    def forwarding_block(self, node: Tree, base: Forwarding) -> Forwarding:
        """`forwarding METHOD { ... }` over `base` (the cluster's, for a service): the options
        of the same method carry over, another method starts from its defaults."""
        method = Method(keyword(args(node)[0]))
        start = base if base.method is method else Forwarding(method=method)
        span = self.span(node)
        built = self.options(f"forwarding at line {span.line}", args(node)[1:], replace(start, method=method, span=span))
        if method is not Method.TUNNEL:
            return replace(built, tunnel=start.tunnel)  # tunnel options mean nothing to other methods
        return built if built.tunnel is not None else replace(built, tunnel=Tunnel())

    def gateway(self, opt: Tree, forwarding: Forwarding) -> Forwarding:
        is_external = external(args(opt)[0])
        address = None if is_external else self.interface(args(opt)[0], default_prefix=False)
        return replace(forwarding, gateway=address, gateway_external=is_external, gateway_dev=self.dev(opt))

    def masquerade(self, opt: Tree, forwarding: Forwarding) -> Forwarding:
        return replace(forwarding, masquerade=tuple(n for n in (self.network(t) for t in args(opt)) if n))

    def arp(self, opt: Tree, forwarding: Forwarding) -> Forwarding:
        return replace(forwarding, arp=ArpMethod(keyword(args(opt)[0])))

    def tun_type(self, opt: Tree, forwarding: Forwarding) -> Forwarding:
        return replace(forwarding, tunnel=replace(forwarding.tunnel or Tunnel(), type=TunnelType(keyword(args(opt)[0]))))

    def tun_port(self, opt: Tree, forwarding: Forwarding) -> Forwarding:
        return replace(forwarding, tunnel=replace(forwarding.tunnel or Tunnel(), port=self.integer(args(opt)[0])))

    def tun_csum(self, opt: Tree, forwarding: Forwarding) -> Forwarding:
        return replace(forwarding, tunnel=replace(forwarding.tunnel or Tunnel(), csum=keyword(args(opt)[0])))
