# Reference values for src/core/power/simulate-power.test.ts: the marginal (population-averaged)
# rate and proportion-scale ICC of the latent logit-normal cluster model, by adaptive quadrature
# (R's integrate), to check pilot-eval's Gauss-Hermite rule.
# Run: Rscript test/data/simulate-power-marginal.R
marg <- function(p, icc) {
  s <- sqrt(icc / (1 - icc) * pi^2 / 3)
  f1 <- function(u) plogis(qlogis(p) + u) * dnorm(u, 0, s)
  m1 <- integrate(f1, -Inf, Inf, rel.tol = 1e-13)$value
  f2 <- function(u) (plogis(qlogis(p) + u) - m1)^2 * dnorm(u, 0, s)
  v <- integrate(f2, -Inf, Inf, rel.tol = 1e-13)$value
  c(mean = m1, variance = v, icc = v / (m1 * (1 - m1)))
}
for (a in list(c(0.35, 0.027), c(0.288, 0.027), c(0.4, 0.05), c(0.25, 0.05), c(0.1, 0.2), c(0.6, 0.5))) {
  r <- marg(a[1], a[2])
  cat(sprintf("p = %s, icc = %s: mean %.15g variance %.15g icc %.15g\n", a[1], a[2], r[["mean"]], r[["variance"]], r[["icc"]]))
}
