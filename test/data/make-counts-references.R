# Reference values for the count models, the multilevel logistic model and the subgroup analyses
# (src/core/stats/count-regression.ts, glmm-logistic.ts, src/core/analysis/subgroup-effects.ts).
# Run from the repository root: Rscript test/data/make-counts-references.R
# Writes test/data/counts-references.json and the data files it uses (R 4.2, MASS, lme4, sandwich).
suppressMessages({library(MASS); library(lme4); library(sandwich); library(lmtest); library(jsonlite)})
dir <- "test/data"
out <- list()
# Tight convergence so that the references are the estimates, not the default stopping error.
tight <- glm.control(epsilon = 1e-14, maxit = 100)
vec <- function(fit, V) list(coef = unname(if (inherits(fit, "merMod")) fixef(fit) else coef(fit)), se = unname(sqrt(diag(as.matrix(V)))))

# 1. Negative binomial: MASS::quine (Days absent; Eth as the two-group "arm", N = 1).
q <- quine
q$arm <- as.integer(q$Eth == "N")
q$female <- as.integer(q$Sex == "F")
q$slow <- as.integer(q$Lrn == "SL")
write.csv(data.frame(arm = ifelse(q$arm == 1, "N", "control"), reoffences = q$Days, female = q$female, slow = q$slow),
          file.path(dir, "quine.csv"), row.names = FALSE)
nb1 <- glm.nb(Days ~ arm, data = q, control = tight)
out$quine_nb <- c(vec(nb1, vcov(nb1)), theta = nb1$theta, call = "glm.nb(Days ~ arm, data = quine, control = glm.control(epsilon = 1e-14, maxit = 100))")
nb2 <- glm.nb(Days ~ arm + female + slow, data = q, control = tight)
out$quine_nb_cov <- c(vec(nb2, vcov(nb2)), theta = nb2$theta, call = "glm.nb(Days ~ arm + female + slow, data = quine, control = glm.control(epsilon = 1e-14, maxit = 100))")
q$w <- (seq_len(nrow(q)) %% 3) + 1
nbw <- glm.nb(Days ~ arm + female, data = q, weights = w, control = tight)
out$quine_nb_weighted <- c(vec(nbw, vcov(nbw)), theta = nbw$theta,
  call = "glm.nb(Days ~ arm + female, data = quine, weights = (seq_len(146) %% 3) + 1, control = glm.control(epsilon = 1e-14, maxit = 100))")

# 2. Offsets: MASS::epil (progabide trial, 59 people x 4 periods) with a made-up time at risk.
set.seed(20261206)
e <- epil
e$arm <- as.integer(e$trt == "progabide")
e$days <- round(runif(nrow(e), 20, 400))
write.csv(data.frame(id = e$subject, arm = ifelse(e$arm == 1, "progabide", "control"), reoffences = e$y,
                     days = e$days, lbase = e$lbase, lage = e$lage),
          file.path(dir, "epil-exposure.csv"), row.names = FALSE)
po <- glm(y ~ arm + offset(log(days)), family = poisson, data = e, control = tight)
out$epil_poisson_offset <- c(vec(po, vcovHC(po, type = "HC0")), call = 'glm(y ~ arm + offset(log(days)), poisson, epil, control = glm.control(epsilon = 1e-14)); vcovHC(type = "HC0")')
poc <- glm(y ~ arm + lbase + lage + offset(log(days)), family = poisson, data = e, control = tight)
out$epil_poisson_offset_cl <- c(vec(poc, vcovCL(poc, cluster = ~subject)), call = 'glm(y ~ arm + lbase + lage + offset(log(days)), poisson, epil, control = glm.control(epsilon = 1e-14)); vcovCL(cluster = ~subject)')
nbo <- glm.nb(y ~ arm + offset(log(days)), data = e, control = tight)
out$epil_nb_offset <- c(vec(nbo, vcov(nbo)), theta = nbo$theta, call = "glm.nb(y ~ arm + offset(log(days)), epil, control = glm.control(epsilon = 1e-14, maxit = 100))")
nboc <- glm.nb(y ~ arm + lbase + lage + offset(log(days)), data = e, control = tight)
out$epil_nb_offset_cov <- c(vec(nboc, vcov(nboc)), theta = nboc$theta, call = "glm.nb(y ~ arm + lbase + lage + offset(log(days)), epil, control = glm.control(epsilon = 1e-14, maxit = 100))")

# 3. Random-intercept logistic (Laplace). lme4's default PIRLS tolerance (tolPwrss = 1e-7) leaves the
# conditional modes slightly unconverged, which moves the finite-difference Hessian (so vcov) by up to
# ~5e-4 relative; with tolPwrss = 1e-13 the deviance is the exact Laplace approximation. Both are kept:
# "<name>" with the tight tolerance, "<name>_default" with glmer's defaults.
glmerBoth <- function(name, formula, data, call) {
  tightG <- glmer(formula, family = binomial, data = data, control = glmerControl(tolPwrss = 1e-13))
  defG <- glmer(formula, family = binomial, data = data)
  rec <- function(g, cl) c(vec(g, vcov(g)), theta = unname(getME(g, "theta")), loglik = as.numeric(logLik(g)), call = cl)
  out[[name]] <<- rec(tightG, sub(")$", ", control = glmerControl(tolPwrss = 1e-13))", call))
  out[[paste0(name, "_default")]] <<- rec(defG, call)
  tightG
}
# lme4::cbpp expanded to one 0/1 row per animal.
cb <- cbpp[rep(seq_len(nrow(cbpp)), cbpp$size), c("herd", "period")]
cb$y <- unlist(lapply(seq_len(nrow(cbpp)), function(i) rep(c(1, 0), c(cbpp$incidence[i], cbpp$size[i] - cbpp$incidence[i]))))
write.csv(data.frame(herd = cb$herd, period = cb$period, y = cb$y), file.path(dir, "cbpp-binary.csv"), row.names = FALSE)
g1 <- glmerBoth("cbpp_glmer", y ~ period + (1 | herd), cb, "glmer(y ~ period + (1 | herd), family = binomial, data = cbpp expanded to 0/1)")
g1b <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), family = binomial, data = cbpp, control = glmerControl(tolPwrss = 1e-13))
stopifnot(max(abs(fixef(g1) - fixef(g1b))) < 1e-4)
b <- read.csv(file.path(dir, "headline-bacteria.csv"))
b$trt <- as.integer(b$ap == "a")
invisible(glmerBoth("bacteria_glmer", y ~ trt + week + (1 | ID), b, "glmer(y ~ trt + week + (1 | ID), family = binomial, data = bacteria)"))
pcp <- read.csv(file.path(dir, "headline-pcp.csv"))
pcp$trt <- as.integer(pcp$arm == "treatment")
invisible(glmerBoth("pcp_glmer", reoffended ~ trt + (1 | team), pcp, "glmer(reoffended ~ trt + (1 | team), family = binomial, data = pcp)"))
invisible(glmerBoth("pcp_glmer_cov", reoffended ~ trt + ogrs3 + age + (1 | team), pcp, "glmer(reoffended ~ trt + ogrs3 + age + (1 | team), family = binomial, data = pcp)"))

# 4. Subgroups. MASS::birthwt: low birth weight by smoking ("arm") within race (1, 2, 3).
bw <- birthwt
write.csv(data.frame(arm = ifelse(bw$smoke == 1, "smoker", "control"), reoffended = bw$low, race = bw$race),
          file.path(dir, "birthwt-subgroup.csv"), row.names = FALSE)
bw$race <- factor(bw$race)
full <- glm(low ~ smoke * race, binomial, bw, control = tight)
red <- glm(low ~ smoke + race, binomial, bw, control = tight)
lrt <- anova(red, full, test = "LRT")
rd <- lapply(levels(bw$race), function(l) { s <- bw[bw$race == l, ]
  pt <- prop.test(c(sum(s$low[s$smoke == 1]), sum(s$low[s$smoke == 0])), c(sum(s$smoke == 1), sum(s$smoke == 0)), correct = FALSE)
  list(level = l, estimate = unname(pt$estimate[1] - pt$estimate[2]), statistic = unname(pt$statistic), p = pt$p.value) })
out$birthwt_interaction <- list(lr = lrt$Deviance[2], df = lrt$Df[2], p = lrt$`Pr(>Chi)`[2], rd = rd,
  call = 'anova(glm(low ~ smoke + race, binomial), glm(low ~ smoke * race, binomial), test = "LRT"); prop.test(correct = FALSE) per race')
# Clustered: pcp, subgroup = stratum, cluster-robust Wald test of the arm x stratum terms.
pcp$stratum <- factor(pcp$stratum)
fp <- glm(reoffended ~ trt * stratum, binomial, pcp, control = tight)
Vp <- vcovCL(fp, cluster = ~team)
idx <- grep(":", names(coef(fp)))
W <- as.numeric(t(coef(fp)[idx]) %*% solve(Vp[idx, idx]) %*% coef(fp)[idx])
wt <- waldtest(glm(reoffended ~ trt + stratum, binomial, pcp, control = tight), fp, vcov = Vp, test = "Chisq")
stopifnot(abs(wt$Chisq[2] - W) < 1e-8)
out$pcp_interaction_cl <- list(wald = W, df = length(idx), p = pchisq(W, length(idx), lower.tail = FALSE), levels = levels(pcp$stratum),
  call = 'waldtest(glm(reoffended ~ trt + stratum, binomial, pcp), glm(reoffended ~ trt * stratum, binomial, pcp), vcov = vcovCL(full, cluster = ~team), test = "Chisq")')
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(dir, "counts-references.json"))
