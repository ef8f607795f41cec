# Reference values for test/analysis/weighted-binary.test.ts (R 4.2, sandwich 3.0.2, MatchIt 4.5.1).
# glm() is run with control = glm.control(epsilon = 1e-14, maxit = 100) so that its own convergence error
# (default epsilon 1e-8 leaves ~1e-7 relative error in the coefficients) does not hide ours.
# Run from the repository root after make-lalonde-files.R and the two `pilot-eval match` runs:
#   pilot-eval match --treated test/data/lalonde-treated.csv --pool test/data/lalonde-pool.csv \
#     --covariates age,educ,race,married,nodegree,re74,re75 --out test/data/lalonde-matched-1to1.csv
#   (and the same with --ratio 2 --replace --out test/data/lalonde-matched-1to2r.csv)
#   Rscript test/data/make-weighted-references.R > test/data/weighted-references.json
suppressMessages({ library(sandwich); library(MatchIt) })
ref <- function(d, cluster = NULL) {
  d$treat <- as.integer(d$arm == "treatment")
  V <- function(fit) if (is.null(cluster)) vcovHC(fit, type = "HC0") else vcovCL(fit, cluster = cluster, type = "HC0")
  rd <- lm(reoffended ~ treat, data = d, weights = w)
  rr <- suppressWarnings(glm(reoffended ~ treat, family = quasipoisson, data = d, weights = w, control = glm.control(epsilon = 1e-14, maxit = 100)))
  or <- suppressWarnings(glm(reoffended ~ treat, family = binomial, data = d, weights = w, control = glm.control(epsilon = 1e-14, maxit = 100)))
  adj <- suppressWarnings(glm(reoffended ~ treat + age + educ + married + re74, family = binomial, data = d, weights = w, control = glm.control(epsilon = 1e-14, maxit = 100)))
  Vrd <- V(rd)
  pT <- coef(rd)[1] + coef(rd)[2]; pC <- coef(rd)[1]
  g <- c(1 / sqrt(pT * (1 - pT)), 1 / sqrt(pC * (1 - pC)))
  vT <- Vrd[1, 1] + 2 * Vrd[1, 2] + Vrd[2, 2]; vC <- Vrd[1, 1]; cTC <- Vrd[1, 1] + Vrd[1, 2]
  list(
    risk_difference = unname(c(coef(rd)[2], sqrt(Vrd[2, 2]))),
    log_risk_ratio = unname(c(coef(rr)[2], sqrt(V(rr)[2, 2]))),
    log_odds_ratio = unname(c(coef(or)[2], sqrt(V(or)[2, 2]))),
    cohens_h = unname(c(2 * asin(sqrt(pT)) - 2 * asin(sqrt(pC)), sqrt(g[1]^2 * vT + g[2]^2 * vC - 2 * g[1] * g[2] * cTC))),
    adjusted_log_odds_ratio = unname(c(coef(adj)[2], sqrt(V(adj)[2, 2]), sqrt(vcov(adj)[2, 2])))
  )
}
out <- list(calls = c(
  "lm(reoffended ~ treat, weights = w); sandwich::vcovHC(fit, type = 'HC0') (or vcovCL(fit, cluster = ~subclass, type = 'HC0'))",
  "glm(reoffended ~ treat, family = quasipoisson, weights = w) with the same sandwich",
  "glm(reoffended ~ treat, family = binomial, weights = w) with the same sandwich",
  "cohens_h: 2 asin sqrt(pT) - 2 asin sqrt(pC) of the lm coefficients, delta method on the lm sandwich",
  "glm(reoffended ~ treat + age + educ + married + re74, family = binomial, weights = w): sandwich SE, then model SE"))
for (f in c("1to1", "1to2r")) {
  d <- read.csv(sprintf("test/data/lalonde-matched-%s.csv", f)); d$w <- d$weight
  out[[f]] <- ref(d)
}
# MatchIt's own 1:1 nearest-neighbour match (no caliper) with its subclass column: clustered by matched set.
data("lalonde", package = "MatchIt")
m <- matchit(treat ~ age + educ + race + married + nodegree + re74 + re75, data = lalonde, method = "nearest", distance = "glm")
md <- match.data(m)
md$id <- rownames(md); md$arm <- ifelse(md$treat == 1, "treatment", "control"); md$reoffended <- as.integer(md$re78 == 0)
write.csv(md[, c("id", "arm", "age", "educ", "married", "re74", "weights", "subclass", "reoffended")], "test/data/lalonde-matchit-subclass.csv", row.names = FALSE, quote = FALSE)
md$w <- md$weights
out$matchit_subclass <- ref(md, cluster = ~subclass)
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "\n")
