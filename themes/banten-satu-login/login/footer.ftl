<#-- keycloak.v2's template.ftl calls this macro at the bottom of the card; overriding it is the
     documented way to add a footer without copying the whole template. -->
<#macro content>
<div id="bsl-footer" class="bsl-footer">
    <p class="bsl-footer-help">${msg("bslHelpText")}</p>
    <p class="bsl-footer-owner">${msg("bslOwner")}</p>
</div>
</#macro>
