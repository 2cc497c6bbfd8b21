// GOV.UK Frontend's behaviour where the browser runs it (an error summary takes the focus,
// buttons resist double submission); every page works without it.
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('govuk-frontend-supported')
initAll()
